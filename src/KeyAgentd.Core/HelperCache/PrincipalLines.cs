using System.Text;
using KeyAgentd.Core.AuthorizedKeys;

namespace KeyAgentd.Core.HelperCache;

/// <summary>
/// An account's admitted certificate principals in sshd's AuthorizedPrincipalsFile format
/// (<c>[options] principal</c>, one per line: auth2-pubkeyfile.c auth_process_principals), derived from
/// the cert-authority lines of the keys the planner rendered, so the principals files,
/// <c>keyagentd-keys --principals</c> and authorized_keys can never disagree. Each line keeps its
/// grant's options (no-pty, from=, expiry-time) minus cert-authority and principals. The CA a
/// principal came with is not in this format: sshd takes the CA from TrustedUserCAKeys.
/// Expired and damaged lines are left out, as the helper leaves them out of the keys it serves.
/// </summary>
public static class PrincipalLines
{
    private static ReadOnlySpan<byte> CertAuthority => "cert-authority"u8;

    /// <summary>Appends the principals lines of <paramref name="keyLines"/> (authorized_keys text as UTF-8) to <paramref name="output"/>.</summary>
    public static void Write(ReadOnlySpan<byte> keyLines, DateTimeOffset now, Func<TimeZoneInfo> localZone, Stream output)
    {
        while (!keyLines.IsEmpty)
        {
            int newline = keyLines.IndexOf((byte)'\n');
            var line = newline < 0 ? keyLines : keyLines[..newline];
            keyLines = newline < 0 ? default : keyLines[(newline + 1)..];
            var raw = line.TrimEnd((byte)'\r');
            // Most lines are plain keys: judged by a byte search before anything is decoded or allocated.
            if (!CacheLine.TrySplitSound(raw, out var optionsRange, out _) || !MayBeAuthority(raw[optionsRange]) ||
                CacheLine.IsExpired(raw[optionsRange], now, localZone))
            {
                continue;
            }
            foreach (string principalLine in LinesOf(Encoding.UTF8.GetString(raw[optionsRange])))
            {
                output.Write(Encoding.UTF8.GetBytes(principalLine));
                output.WriteByte((byte)'\n');
            }
        }
    }

    /// <summary>The principals file text for <paramref name="keyLines"/> (what <see cref="Write"/> writes).</summary>
    public static string Render(string keyLines, DateTimeOffset now, TimeZoneInfo localZone)
    {
        using var buffer = new MemoryStream();
        Write(Encoding.UTF8.GetBytes(keyLines), now, () => localZone, buffer);
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>One line per principal of a cert-authority options field; none when it is not one, or names a principal sshd could not match.</summary>
    public static IEnumerable<string> LinesOf(string optionsField)
    {
        if (!KeyOptionsParser.TryParse(optionsField, out var options, out _) || !options.Contains("cert-authority") ||
            options.ValueOf("principals") is not { Length: > 0 } list)
        {
            return [];
        }
        var rest = new KeyOptions(options.Where(o => o.Name is not ("cert-authority" or "principals")));
        string prefix = rest.Count == 0 ? "" : rest.Render() + " ";
        var principals = list.Split(',');
        // A list with a name sshd could not match is not the daemon's: serve none of it rather than part.
        return principals.Any(p => CertificatePrincipal.Problem(p) is not null) ? [] : principals.Select(p => prefix + p);
    }

    /// <summary>
    /// Whether an options field may make its line a cert-authority line: a byte search, no decoding. It can
    /// say yes for a field that only quotes the word (sshd, or <see cref="LinesOf"/>, then decides), never no for a CA line.
    /// </summary>
    public static bool MayBeAuthority(ReadOnlySpan<byte> options) => ContainsIgnoreCase(options, CertAuthority);

    private static bool ContainsIgnoreCase(ReadOnlySpan<byte> text, ReadOnlySpan<byte> word)
    {
        for (int i = 0; i + word.Length <= text.Length; i++)
        {
            if (System.Text.Ascii.EqualsIgnoreCase(text.Slice(i, word.Length), word))
            {
                return true;
            }
        }
        return false;
    }
}
