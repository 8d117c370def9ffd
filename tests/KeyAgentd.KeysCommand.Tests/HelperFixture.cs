using KeyAgentd.Core.AuthorizedKeys;
using KeyAgentd.KeysCommand;

namespace KeyAgentd.KeysCommand.Tests;

/// <summary>
/// A state directory with a keys/ cache, and the helper run in-process against it. The state directory
/// sits where the helper will serve it, as /var/lib/keyagentd does: root-owned, 0755, under directories
/// that are too (/var/lib), not under /tmp, which is world-writable and refused like any such directory.
/// Creating it there needs root, as every test of a root-owned file does.
/// </summary>
public sealed class HelperFixture : IDisposable
{
    public static readonly DateTimeOffset Now = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);

    /// <summary>Where the root-owned sandboxes go: a directory every system has, root-owned and 0755.</summary>
    public const string SafeBase = "/var/lib";

    private readonly TempDirectory _scratch = new("keyagentd-keys-test-");

    public HelperFixture()
    {
        Root = Path.Combine(SafeBase, "keyagentd-keys-test-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Root);
        Chmod(Root, "755");
        Directory.CreateDirectory(KeysDirectory);
        Chmod(StateDirectory, "755");
        Chmod(KeysDirectory, "755");
    }

    /// <summary>Root-owned 0755, the state directory's parent.</summary>
    public string Root { get; }

    public string StateDirectory => Path.Combine(Root, "state");

    public string KeysDirectory => Path.Combine(StateDirectory, "keys");

    /// <summary>A private directory under the temp directory (world-writable /tmp above it): a place nothing is trusted from.</summary>
    public string ScratchDirectory => _scratch.Path;

    public string CachePath(string user) => Path.Combine(KeysDirectory, user);

    public void WriteCache(string user, params string[] keyLines)
    {
        File.WriteAllText(CachePath(user), "# keyagentd: managed by keyagentd, changes are overwritten\n" + string.Concat(keyLines.Select(l => l + "\n")));
        Chmod(CachePath(user), "644");
    }

    public static void Chmod(string path, string mode) =>
        Assert.Equal(0, ProcessRunner.Run("chmod", [mode, path]).ExitCode);

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

    public void Dispose()
    {
        _scratch.Dispose();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private sealed class FixedTime(DateTimeOffset now, TimeZoneInfo zone) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;

        public override TimeZoneInfo LocalTimeZone => zone;
    }
}
