using KeyAgentd.Core.AuthorizedKeys;
using KeyAgentd.Core.Keys;
using KeyAgentd.Core.Registry;

namespace KeyAgentd.KeysCommand;

/// <summary>
/// The helper's whole job: print USER's keys from the daemon's cache (state-dir/keys/USER).
/// Anything it cannot vouch for — unknown or odd user, malformed fingerprint, missing, oversized
/// or non-regular cache file — prints nothing and exits 0, which sshd reads as "no keys here".
/// </summary>
public static class KeysCommandProgram
{
    public const string DefaultStateDirectory = "/var/lib/keyagentd";
    public const string StateDirectoryVariable = "KEYAGENTD_State__Directory";
    public const int ExitOk = 0;
    public const int ExitUsage = 2;

    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error, Func<string, string?> environment, TimeProvider time)
    {
        var parsed = KeysCommandArguments.TryParse(args, out string? usageError);
        if (parsed is null)
        {
            error.WriteLine($"keyagentd-keys: {usageError}");
            error.WriteLine(KeysCommandArguments.Usage);
            return ExitUsage;
        }
        if (!AccountName.IsValid(parsed.User))
        {
            return ExitOk;
        }
        if (parsed.Fingerprint is { } wanted && !Fingerprint.IsSha256(wanted))
        {
            return ExitOk;
        }
        string stateDirectory = parsed.StateDirectory
            ?? (environment(StateDirectoryVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : DefaultStateDirectory);
        string path = Path.Combine(stateDirectory, "keys", parsed.User);

        var read = CacheFileReader.Read(path);
        if (read.Text is null)
        {
            if (read.Problem is { } problem)
            {
                error.WriteLine($"keyagentd-keys: {path}: {problem}");
            }
            return ExitOk;
        }
        foreach (string line in SelectKeyLines(read.Text, parsed.Fingerprint, time.GetUtcNow(), time.LocalTimeZone))
        {
            output.Write(line);
            output.Write('\n');
        }
        return ExitOk;
    }

    /// <summary>
    /// Key lines as written by the daemon, minus those already expired (and, with a fingerprint, all
    /// but that key). The cache holds keys the daemon validated, so lines are only split into fields,
    /// not decoded: sshd validates whatever it is given anyway, and this runs on every login attempt.
    /// An expiry-time without 'Z' is read in <paramref name="localZone"/>, as sshd reads it in the host's zone.
    /// </summary>
    public static IEnumerable<string> SelectKeyLines(string cacheText, string? fingerprint, DateTimeOffset now, TimeZoneInfo localZone)
    {
        foreach (string line in cacheText.Split('\n'))
        {
            string raw = line.TrimEnd('\r');
            if (!AuthorizedKeyLineParser.TrySplit(raw, out string? options, out string keyType, out string base64) ||
                DecodeBlob(keyType, base64) is not { } blob)
            {
                continue;
            }
            if (options is not null && options.Contains("expiry-time", StringComparison.OrdinalIgnoreCase) &&
                (!KeyOptionsParser.TryParse(options, out var parsed, out _) || parsed.ExpiryTime(localZone) <= now))
            {
                continue;
            }
            if (fingerprint is not null && !string.Equals(Fingerprint.Sha256(blob), fingerprint, StringComparison.Ordinal))
            {
                continue;
            }
            yield return raw;
        }
    }

    /// <summary>The blob if it is base64 whose inner type is the line's type; a damaged cache line yields null and is skipped.</summary>
    private static byte[]? DecodeBlob(string keyType, string base64)
    {
        byte[] blob;
        try
        {
            blob = Convert.FromBase64String(base64);
        }
        catch (FormatException)
        {
            return null;
        }
        try
        {
            var reader = new SshWireReader(blob);
            return System.Text.Ascii.Equals(reader.ReadString("key type", 64), keyType) ? blob : null;
        }
        catch (KeyFormatException)
        {
            return null;
        }
    }
}
