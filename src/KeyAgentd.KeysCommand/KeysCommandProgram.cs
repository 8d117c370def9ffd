using System.Text;
using KeyAgentd.Core;
using KeyAgentd.Core.HelperCache;
using KeyAgentd.Core.Keys;
using KeyAgentd.Core.Snapshot;

namespace KeyAgentd.KeysCommand;

/// <summary>
/// The helper's whole job: print USER's keys from the daemon's cache (state-dir/keys/USER).
/// An unknown or odd user, a malformed fingerprint or no cache file prints nothing and exits 0,
/// which sshd reads as "no keys here". A cache file that is there but cannot be vouched for
/// (a symlink, not a regular file, oversized, or not root-owned / writable by others, itself or a
/// directory above it) prints nothing, says why on stderr (sshd logs it) and exits
/// <see cref="ExitRefused"/>: sshd uses no line of a command that fails. With <c>--then</c> another
/// AuthorizedKeysCommand runs afterwards, whatever became of ours, unless ours was refused (sshd
/// would discard its lines with ours, so it would only delay the login). With <c>--principals</c> it prints
/// USER's admitted certificate principals instead (<see cref="PrincipalLines"/>), for sshd's AuthorizedPrincipalsCommand.
/// </summary>
public static class KeysCommandProgram
{
    public const string DefaultStateDirectory = "/var/lib/keyagentd";
    public const string StateDirectoryVariable = "KEYAGENTD_State__Directory";
    public const int ExitOk = 0;
    public const int ExitRefused = 1;
    public const int ExitUsage = 2;

    public static int Run(IReadOnlyList<string> args, Stream output, TextWriter error, Func<string, string?> environment, TimeProvider time)
    {
        var parsed = KeysCommandArguments.TryParse(args, out string? usageError);
        if (parsed is null)
        {
            // The arguments are what sshd expanded (%u, %f, …) and sshd logs stderr: escaped, one cannot forge a log line.
            error.WriteLine(SafeText.Escape($"keyagentd-keys: {usageError}"));
            error.WriteLine(KeysCommandArguments.Usage);
            return ExitUsage;
        }
        if (!WriteOwnKeys(parsed, output, error, environment, time))
        {
            return ExitRefused;
        }
        // The other command's lines, if it earns them, after ours.
        parsed.Then?.Run(output, error);
        return ExitOk;
    }

    /// <returns>False when a cache file is there but refused; nothing was written then.</returns>
    private static bool WriteOwnKeys(KeysCommandArguments parsed, Stream output, TextWriter error, Func<string, string?> environment, TimeProvider time)
    {
        if (!AccountName.IsValid(parsed.User))
        {
            return true;
        }
        if (parsed.Fingerprint is { } wanted && !Fingerprint.IsSha256(wanted))
        {
            return true;
        }
        string stateDirectory = parsed.StateDirectory
            ?? (environment(StateDirectoryVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : DefaultStateDirectory);
        string path = Path.Combine(stateDirectory, "keys", parsed.User);

        using var read = CacheFileReader.Read(path);
        if (read.Bytes is not { } bytes)
        {
            if (read.Problem is { } problem)
            {
                // The state directory comes from the command line or the environment: escaped, it cannot forge a log line.
                error.WriteLine(SafeText.Escape($"keyagentd-keys: {path}: {problem}"));
                return false;
            }
            return true;
        }
        if (parsed.Principals)
        {
            // The same cache, the same checks on it: the principals are read from the cert-authority lines the daemon wrote there.
            PrincipalLines.Write(bytes.Span, time.GetUtcNow(), () => time.LocalTimeZone, output);
            return true;
        }
        WriteKeyLines(bytes.Span, parsed.Fingerprint, time, output);
        return true;
    }

    /// <summary>
    /// Writes the key lines as the daemon wrote them, minus those <see cref="CacheLine"/> does not
    /// serve (damaged or expired) and, with a fingerprint, all but that key and the cert-authority lines
    /// (sshd's %f of a certificate is the certificate's own key, never its CA's: without them no
    /// certificate could log in through the helper); or, when the cache's
    /// <see cref="CacheIndex"/> vouches for every line at this moment, the cache's bytes as they are.
    /// Works on the bytes read (never a UTF-16 copy) and writes each line's own bytes to
    /// <paramref name="output"/> (which the caller buffers).
    /// </summary>
    public static void WriteKeyLines(ReadOnlySpan<byte> cache, string? fingerprint, TimeProvider time, Stream output)
    {
        var now = time.GetUtcNow();
        if (fingerprint is null && CacheIndex.TryRead(cache, out var index, out int bodyStart) && index.CoversWhole(cache[bodyStart..], now))
        {
            output.Write(cache[bodyStart..]);
            return;
        }
        Func<TimeZoneInfo> localZone = () => time.LocalTimeZone;
        while (!cache.IsEmpty)
        {
            int newline = cache.IndexOf((byte)'\n');
            var line = newline < 0 ? cache : cache[..newline];
            cache = newline < 0 ? default : cache[(newline + 1)..];
            var raw = line.TrimEnd((byte)'\r');
            if (!CacheLine.TrySplitSound(raw, out var options, out var base64) ||
                CacheLine.IsExpired(raw[options], now, localZone) ||
                (fingerprint is not null && !MatchesFingerprint(raw[base64], fingerprint) && !PrincipalLines.MayBeAuthority(raw[options])))
            {
                continue;
            }
            output.Write(raw);
            output.WriteByte((byte)'\n');
        }
    }

    private static bool MatchesFingerprint(ReadOnlySpan<byte> base64, string fingerprint) =>
        string.Equals(Fingerprint.Sha256WithoutOpenSsl(Convert.FromBase64String(Encoding.ASCII.GetString(base64))), fingerprint, StringComparison.Ordinal);
}
