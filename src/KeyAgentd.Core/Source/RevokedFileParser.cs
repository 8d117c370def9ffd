using System.Text;
using KeyAgentd.Core.AuthorizedKeys;
using KeyAgentd.Core.Keys;
using KeyAgentd.Core.Snapshot;

namespace KeyAgentd.Core.Source;

/// <summary>
/// The `revoked` file, one revocation per line; '#' starts a comment:
/// <list type="bullet">
/// <item>a SHA256 fingerprint, or a whole public key line (its fingerprint is taken, so a revoked key
/// or a CA key can be pasted as is; revoking a CA revokes every certificate it signed);</item>
/// <item><c>serial N ca CA-KEY</c> or <c>serial LO-HI ca CA-KEY</c>: certificates of that CA by serial;</item>
/// <item><c>key-id "ID" ca CA-KEY</c> (or a bare ID without spaces or quotes): certificates of that CA by key ID.</item>
/// </list>
/// CA-KEY is the CA's whole public key line (type, base64, optional comment), because a KRL names
/// a CA by its key, not its fingerprint.
/// </summary>
public static class RevokedFileParser
{
    private const string SerialKeyword = "serial";
    private const string KeyIdKeyword = "key-id";
    private const string CaKeyword = "ca";

    private const string SyntaxFix = "write `serial 42 ca ssh-ed25519 AAAA…`, `serial 10-20 ca ssh-ed25519 AAAA…` or `key-id \"alice@laptop\" ca ssh-ed25519 AAAA…`";

    public static IReadOnlyList<RevokedEntry> Parse(string file, string text, List<SourceProblem> problems) =>
        Parse(file, text, problems, out _);

    public static IReadOnlyList<RevokedEntry> Parse(string file, string text, List<SourceProblem> problems, out IReadOnlyList<RevokedCertificateEntry> certificates)
    {
        var entries = new List<RevokedEntry>();
        var revokedCertificates = new List<RevokedCertificateEntry>();
        certificates = revokedCertificates;
        int number = 0;
        foreach (string raw in text.Split('\n'))
        {
            number++;
            string line = raw.TrimEnd('\r').Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }
            var location = new SourceLocation(file, number);
            string first = line.Split([' ', '\t'], 2)[0];
            if (first is SerialKeyword or KeyIdKeyword)
            {
                if (ParseCertificateLine(line, first, location, problems) is { } entry)
                {
                    revokedCertificates.Add(entry);
                }
                continue;
            }
            if (Fingerprint.IsSha256(first))
            {
                entries.Add(new RevokedEntry(first, location));
                continue;
            }
            var parsed = AuthorizedKeyLineParser.Parse(line);
            if (parsed.Key is { } key)
            {
                entries.Add(new RevokedEntry(key.Sha256Fingerprint, location));
                continue;
            }
            problems.Add(SourceProblem.Error(location, SourceReason.InvalidFingerprint, "not a SHA256 fingerprint, a public key line or a certificate revocation",
                "write SHA256:<43 base64 characters> as ssh-keygen -l prints it, the whole public key line, or a certificate revocation: " + SyntaxFix));
        }
        return entries;
    }

    private static RevokedCertificateEntry? ParseCertificateLine(string line, string keyword, SourceLocation location, List<SourceProblem> problems)
    {
        int position = keyword.Length;
        SkipBlanks(line, ref position);
        string? what = keyword == KeyIdKeyword ? ReadKeyId(line, ref position, location, problems) : ReadToken(line, ref position);
        if (what is null)
        {
            if (keyword == SerialKeyword)
            {
                problems.Add(Malformed(location, NeedsValue(keyword)));
            }
            return null;
        }
        SkipBlanks(line, ref position);
        if (ReadToken(line, ref position) != CaKeyword)
        {
            problems.Add(Malformed(location, $"`{keyword} {SafeText.Escape(what, 60)}` must be followed by `ca` and the CA's public key line"));
            return null;
        }
        SkipBlanks(line, ref position);
        var caLine = AuthorizedKeyLineParser.Parse(line[position..]);
        if (caLine.Key is not { } ca || caLine.Options.Count > 0)
        {
            problems.Add(Malformed(location, caLine.Key is null
                ? $"the CA is not a public key line: {caLine.ErrorMessage ?? "nothing after `ca`"}"
                : "the CA key line must not carry options"));
            return null;
        }
        if (RevokedCertificates.CaProblem(ca) is { } caProblem)
        {
            problems.Add(SourceProblem.Error(location, SourceReason.RevocationCaRefused, caProblem, "paste the CA's public key (ca.pub), not a certificate"));
            return null;
        }
        if (keyword == KeyIdKeyword)
        {
            return new RevokedCertificateEntry(ca, null, what, location);
        }
        if (!SerialRange.TryParse(what, out var serials, out string problem))
        {
            problems.Add(SourceProblem.Error(location, SourceReason.InvalidSerial, problem,
                "write one serial (`serial 42 ca …`) or an inclusive range (`serial 10-20 ca …`) of the serials ssh-keygen -L shows, all above 0"));
            return null;
        }
        return new RevokedCertificateEntry(ca, serials, null, location);
    }

    /// <summary>A quoted key ID ("…", with \" and \\ inside) or a bare one (no blanks, no quotes); null after reporting why not.</summary>
    private static string? ReadKeyId(string line, ref int position, SourceLocation location, List<SourceProblem> problems)
    {
        string? keyId;
        if (position < line.Length && line[position] == '"')
        {
            var value = new StringBuilder();
            int i = position + 1;
            bool closed = false;
            for (; i < line.Length; i++)
            {
                char c = line[i];
                if (c == '\\' && i + 1 < line.Length && line[i + 1] is '"' or '\\')
                {
                    value.Append(line[++i]);
                }
                else if (c == '"')
                {
                    closed = true;
                    break;
                }
                else
                {
                    value.Append(c);
                }
            }
            if (!closed)
            {
                problems.Add(Malformed(location, "the quoted key ID has no closing quote"));
                return null;
            }
            position = i + 1;
            keyId = value.ToString();
        }
        else
        {
            keyId = ReadToken(line, ref position);
            if (keyId is null)
            {
                problems.Add(Malformed(location, NeedsValue(KeyIdKeyword)));
                return null;
            }
            if (keyId.Contains('"', StringComparison.Ordinal))
            {
                problems.Add(Malformed(location, "a key ID with a quote must be written in quotes, the quote as \\\""));
                return null;
            }
        }
        if (RevokedCertificates.KeyIdProblem(keyId) is { } problem)
        {
            problems.Add(SourceProblem.Error(location, SourceReason.InvalidKeyId, problem,
                "write the key ID exactly as ssh-keygen -L shows it between the quotes, on one line; revoke a certificate whose ID holds control characters by its serial"));
            return null;
        }
        return keyId;
    }

    private static string? ReadToken(string line, ref int position)
    {
        int start = position;
        while (position < line.Length && line[position] is not (' ' or '\t'))
        {
            position++;
        }
        return position > start ? line[start..position] : null;
    }

    private static void SkipBlanks(string line, ref int position)
    {
        while (position < line.Length && line[position] is ' ' or '\t')
        {
            position++;
        }
    }

    private static string NeedsValue(string keyword) => $"`{keyword}` needs a value, then `ca` and the CA's public key line";

    private static SourceProblem Malformed(SourceLocation location, string message) =>
        SourceProblem.Error(location, SourceReason.MalformedRevocation, message, SyntaxFix);
}
