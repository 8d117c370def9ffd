using KeyAgentd.Core.AuthorizedKeys;
using KeyAgentd.KeysCommand;

namespace KeyAgentd.KeysCommand.Tests;

/// <summary>A state directory with a keys/ cache, and the helper run in-process against it.</summary>
public sealed class HelperFixture : IDisposable
{
    public static readonly DateTimeOffset Now = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);

    private readonly TempDirectory _temp = new("keyagentd-keys-test-");

    public HelperFixture()
    {
        Directory.CreateDirectory(KeysDirectory);
    }

    public string StateDirectory => _temp.Path;

    public string KeysDirectory => Path.Combine(StateDirectory, "keys");

    public string CachePath(string user) => Path.Combine(KeysDirectory, user);

    public void WriteCache(string user, params string[] keyLines) =>
        File.WriteAllText(CachePath(user), "# keyagentd: managed by keyagentd, changes are overwritten\n" + string.Concat(keyLines.Select(l => l + "\n")));

    public static string WithExpiry(string keyLine, DateTimeOffset when) => $"expiry-time=\"{ExpiryTimeFormat.Format(when)}\" {keyLine}";

    public (int ExitCode, string Stdout, string Stderr) Run(params string[] args) => Run(args, null);

    public (int ExitCode, string Stdout, string Stderr) Run(string[] args, string? environmentStateDir, DateTimeOffset? now = null, TimeZoneInfo? zone = null)
    {
        using var stdout = new MemoryStream();
        using var stderr = new StringWriter();
        int code = KeysCommandProgram.Run(args, stdout, stderr,
            name => name == KeysCommandProgram.StateDirectoryVariable ? environmentStateDir : null,
            new FixedTime(now ?? Now, zone ?? TimeZoneInfo.Utc));
        return (code, System.Text.Encoding.UTF8.GetString(stdout.ToArray()), stderr.ToString());
    }

    public void Dispose() => _temp.Dispose();

    private sealed class FixedTime(DateTimeOffset now, TimeZoneInfo zone) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;

        public override TimeZoneInfo LocalTimeZone => zone;
    }
}
