using System.Text;
using KeyAgentd.Core.HelperCache;
using KeyAgentd.Core.Keys;
using KeyAgentd.Core.Snapshot;

namespace KeyAgentd.KeysCommand;

/// <summary>
/// The helper's whole job: print USER's keys from the daemon's cache (state-dir/keys/USER).
/// Anything it cannot vouch for — unknown or odd user, malformed fingerprint, missing, oversized
/// or non-regular cache file — prints nothing and exits 0, which sshd reads as "no keys here".
/// With <c>--then</c> another AuthorizedKeysCommand runs afterwards, whatever became of ours.
/// </summary>
public static class KeysCommandProgram
{
    public const string DefaultStateDirectory = "/var/lib/keyagentd";
    public const string StateDirectoryVariable = "KEYAGENTD_State__Directory";
    public const int ExitOk = 0;
    public const int ExitUsage = 2;

    public static int Run(IReadOnlyList<string> args, Stream output, TextWriter error, Func<string, string?> environment, TimeProvider time)
    {
        var parsed = KeysCommandArguments.TryParse(args, out string? usageError);
        if (parsed is null)
        {
            error.WriteLine($"keyagentd-keys: {usageError}");
            error.WriteLine(KeysCommandArguments.Usage);
            return ExitUsage;
        }
        WriteOwnKeys(parsed, output, error, environment, time);
        // The other command's lines, if it earns them, after ours.
        parsed.Then?.Run(output, error);
        return ExitOk;
    }

    private static void WriteOwnKeys(KeysCommandArguments parsed, Stream output, TextWriter error, Func<string, string?> environment, TimeProvider time)
    {
        if (!AccountName.IsValid(parsed.User))
        {
            return;
        }
        if (parsed.Fingerprint is { } wanted && !Fingerprint.IsSha256(wanted))
        {
            return;
        }
        string stateDirectory = parsed.StateDirectory
            ?? (environment(StateDirectoryVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : DefaultStateDirectory);
        string path = Path.Combine(stateDirectory, "keys", parsed.User);

        using var read = CacheFileReader.Read(path);
        if (read.Bytes is not { } bytes)
        {
            if (read.Problem is { } problem)
            {
                error.WriteLine($"keyagentd-keys: {path}: {problem}");
            }
            return;
        }
        WriteKeyLines(bytes.Span, parsed.Fingerprint, time, output);
    }

    /// <summary>
    /// Writes the key lines as the daemon wrote them, minus those <see cref="CacheLine"/> does not
    /// serve (damaged or expired) and, with a fingerprint, all but that key; or, when the cache's
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
                (fingerprint is not null && !MatchesFingerprint(raw[base64], fingerprint)))
            {
                continue;
            }
            output.Write(raw);
            output.WriteByte((byte)'\n');
        }
    }

    private static bool MatchesFingerprint(ReadOnlySpan<byte> base64, string fingerprint) =>
        string.Equals(Fingerprint.Sha256(Convert.FromBase64String(Encoding.ASCII.GetString(base64))), fingerprint, StringComparison.Ordinal);
}
