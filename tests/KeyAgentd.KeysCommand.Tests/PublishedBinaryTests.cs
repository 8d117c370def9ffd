namespace KeyAgentd.KeysCommand.Tests;

/// <summary>A few runs of the published out/bin/keyagentd-keys (what sshd really executes).</summary>
[Trait("Category", "Integration")]
public sealed class PublishedBinaryTests : IDisposable
{
    private readonly HelperFixture _f = new();

    public void Dispose() => _f.Dispose();

    private static string Binary
    {
        get
        {
            string? dir = AppContext.BaseDirectory;
            while (dir is not null && !File.Exists(Path.Combine(dir, "KeyAgentd.sln")))
            {
                dir = Path.GetDirectoryName(dir);
            }
            return Path.Combine(dir ?? throw new InvalidOperationException("repository root not found"), "out", "bin", "keyagentd-keys");
        }
    }

    internal static ProcessRunner.Result Run(IEnumerable<string> args, IDictionary<string, string>? environment = null)
    {
        Assert.True(File.Exists(Binary), $"{Binary} missing: run `make publish` first");
        return ProcessRunner.Run(Binary, args, environment: environment, timeout: TimeSpan.FromSeconds(30));
    }

    [Fact]
    public void Prints_the_users_keys()
    {
        string a = SshKeygen.Generate("ed25519");
        _f.WriteCache("alice", a);
        var result = Run(["alice", "--state-dir", _f.StateDirectory]);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(a + "\n", result.Stdout);
    }

    [Fact]
    public void Selects_by_the_fingerprint_ssh_keygen_computes()
    {
        string a = SshKeygen.Generate("ed25519", comment: "a");
        string b = SshKeygen.Generate("ed25519", comment: "b");
        _f.WriteCache("alice", a, b);
        string fingerprint = SshKeygen.Fingerprint(b + "\n").Lines[0].Split(' ')[1];
        var result = Run(["--state-dir", _f.StateDirectory, "alice", fingerprint]);
        Assert.Equal(b + "\n", result.Stdout);
    }

    [Fact]
    public void Honours_the_environment_variable()
    {
        string a = SshKeygen.Generate("ed25519");
        _f.WriteCache("alice", a);
        var result = Run(["alice"], new Dictionary<string, string> { ["KEYAGENTD_State__Directory"] = _f.StateDirectory });
        Assert.Equal(a + "\n", result.Stdout);
    }

    /// <summary>
    /// As sshd runs it, as an unprivileged AuthorizedKeysCommandUser: it serves the root-owned cache
    /// the daemon wrote, and refuses one that user could write, whatever its own uid.
    /// </summary>
    [Fact]
    public void Run_as_an_unprivileged_user_it_serves_a_root_owned_cache_and_refuses_a_planted_one()
    {
        string a = SshKeygen.Generate("ed25519", comment: "alice");
        _f.WriteCache("alice", a);
        string[] asNobody = ["--reuid=65534", "--regid=65534", "--clear-groups", Binary, "--state-dir", _f.StateDirectory];

        var served = ProcessRunner.Run("setpriv", [.. asNobody, "alice"]);
        Assert.Equal((0, a + "\n", ""), (served.ExitCode, served.Stdout, served.Stderr));

        HelperFixture.Chmod(_f.KeysDirectory, "777");
        var planted = ProcessRunner.Run("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "/bin/sh", "-c", $"printf '%s\\n' '{a}' > '{_f.CachePath("victim")}'"]);
        Assert.Equal(0, planted.ExitCode);
        var refused = ProcessRunner.Run("setpriv", [.. asNobody, "victim"]);

        Assert.Equal(KeyAgentd.KeysCommand.KeysCommandProgram.ExitRefused, refused.ExitCode);
        Assert.Empty(refused.Stdout);
        Assert.Contains($"keyagentd-keys: {_f.CachePath("victim")}: bad ownership or modes for file", refused.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_and_invalid_users_exit_0_silently()
    {
        foreach (string user in new[] { "nobody-here", "..", "a/b" })
        {
            var result = Run(["--state-dir", _f.StateDirectory, "--", user]);
            Assert.Equal(0, result.ExitCode);
            Assert.Empty(result.Stdout);
        }
    }

    [Fact]
    public void Usage_error_exits_2()
    {
        var result = Run([]);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("usage", result.Stderr, StringComparison.Ordinal);
    }
}
