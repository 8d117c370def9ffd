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
        foreach (string line in SelectKeyLines(read.Text, parsed.Fingerprint, time.GetUtcNow()))
        {
            output.Write(line);
            output.Write('\n');
        }
        return ExitOk;
    }

    /// <summary>Key lines as written by the daemon, minus those already expired (and, with a fingerprint, all but that key).</summary>
    public static IEnumerable<string> SelectKeyLines(string cacheText, string? fingerprint, DateTimeOffset now)
    {
        foreach (var line in AuthorizedKeyLineParser.ParseAll(cacheText))
        {
            if (!line.IsKey || line.Key is null)
            {
                continue;
            }
            if (line.Options.ExpiryTime() is { } expiry && expiry <= now)
            {
                continue;
            }
            if (fingerprint is not null && !string.Equals(line.Key.Sha256Fingerprint, fingerprint, StringComparison.Ordinal))
            {
                continue;
            }
            yield return line.Raw;
        }
    }
}
