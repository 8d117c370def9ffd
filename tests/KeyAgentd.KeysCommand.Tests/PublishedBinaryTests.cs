namespace KeyAgentd.KeysCommand.Tests;

/// <summary>A few runs of the published out/bin/keyagentd-keys (what sshd really executes).</summary>
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
