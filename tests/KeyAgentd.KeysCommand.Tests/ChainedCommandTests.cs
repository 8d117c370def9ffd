using KeyAgentd.KeysCommand;

namespace KeyAgentd.KeysCommand.Tests;

/// <summary>
/// --then through the published out/bin/keyagentd-keys, so the other command really shares our
/// stdout the way it shares sshd's pipe. The other commands are system binaries (root-owned in
/// root-owned directories, as the safe-path check demands).
/// </summary>
[Trait("Category", "Integration")]
public sealed class ChainedCommandTests : IDisposable
{
    private readonly HelperFixture _f = new();
    private readonly string _ours = SshKeygen.Generate("ed25519", comment: "ours");
    private readonly string _theirs = SshKeygen.Generate("ed25519", comment: "theirs", cached: false);

    public ChainedCommandTests() => _f.WriteCache("alice", _ours);

    public void Dispose() => _f.Dispose();

    private ProcessRunner.Result Run(params string[] args) => PublishedBinaryTests.Run(["--state-dir", _f.StateDirectory, .. args]);

    /// <summary>The published helper runs `/bin/echo LINE` as another command would print a key line.</summary>
    [Fact]
    public void Other_commands_key_follows_ours_and_both_reach_stdout()
    {
        var result = Run("alice", "--then", "/bin/echo", _theirs);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(_ours + "\n" + _theirs + "\n", result.Stdout);
        Assert.Empty(result.Stderr);
    }

    [Fact]
    public void Other_command_runs_for_a_user_we_do_not_know_and_gets_its_arguments_verbatim()
    {
        var result = Run("nobody-here", "SHA256:whatever", "--then", "/bin/echo", "nobody-here", "a;b", "$HOME", "*", "'q'");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("nobody-here a;b $HOME * 'q'\n", result.Stdout);
    }

    [Fact]
    public void Other_commands_failure_is_reported_and_keeps_our_keys_and_exit_0()
    {
        var result = Run("alice", "--then", "/bin/false");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(_ours + "\n", result.Stdout);
        Assert.Contains("exited with status 1", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Lines_of_an_other_command_that_fails_are_discarded_as_sshd_would()
    {
        var result = Run("alice", "--then", "/bin/sh", "-c", $"echo '{_theirs}'; exit 3");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(_ours + "\n", result.Stdout);
        Assert.Contains("--then /bin/sh: exited with status 3; its lines are discarded", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Lines_of_an_other_command_killed_at_the_timeout_are_discarded()
    {
        var result = Run("--then-timeout", "0.5", "alice", "--then", "/bin/sh", "-c", $"echo '{_theirs}'; sleep 300");

        Assert.Equal(_ours + "\n", result.Stdout);
        Assert.Contains("still running after 0.5 s; killed", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Output_held_open_by_a_child_left_behind_is_discarded_at_the_timeout()
    {
        // The shell exits at once and its child holds the output past the timeout; the timeout is ample
        // so that the shell's own exit never races it on a loaded machine. The child's stderr is not the
        // helper's, so the helper's caller is not held until the child ends.
        var result = Run("--then-timeout", "5", "alice", "--then", "/bin/sh", "-c", $"echo '{_theirs}'; sleep 30 2>/dev/null &");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(_ours + "\n", result.Stdout);
        Assert.Contains("its output was still open after 5 s", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Output_over_the_cap_is_discarded_and_the_command_is_not_left_blocked()
    {
        var result = Run("alice", "--then", "/usr/bin/head", "-c", (ChainedCommand.MaxOutputBytes + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), "/dev/zero");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(_ours + "\n", result.Stdout);
        Assert.Contains($"printed more than {ChainedCommand.MaxOutputBytes} bytes", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Output_of_exactly_the_cap_is_passed_on()
    {
        var result = Run("alice", "--then", "/usr/bin/head", "-c", ChainedCommand.MaxOutputBytes.ToString(System.Globalization.CultureInfo.InvariantCulture), "/dev/zero");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(_ours.Length + 1 + ChainedCommand.MaxOutputBytes, result.Stdout.Length);
        Assert.Empty(result.Stderr);
    }

    [Fact]
    public void Other_commands_stderr_passes_through()
    {
        var result = Run("alice", "--then", "/bin/ls", "/nonexistent-keyagentd-then");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(_ours + "\n", result.Stdout);
        Assert.Contains("/nonexistent-keyagentd-then", result.Stderr.Split('\n')[0], StringComparison.Ordinal);
        Assert.Contains("--then /bin/ls: exited with status 2; its lines are discarded", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Hung_other_command_and_its_children_are_killed_at_the_timeout()
    {
        // The shell's background sleep inherits stdout: if it survived, our reader would not see EOF.
        var result = Run("--then-timeout", "0.5", "alice", "--then", "/bin/sh", "-c", "sleep 300 & sleep 300");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(_ours + "\n", result.Stdout);
        Assert.Contains("--then /bin/sh: still running after 0.5 s; killed", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_other_command_is_reported_and_keeps_our_keys()
    {
        var result = Run("alice", "--then", "/nonexistent-keyagentd/other-keys", "alice");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(_ours + "\n", result.Stdout);
        Assert.Contains("--then /nonexistent-keyagentd/other-keys: cannot resolve", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Other_command_in_a_writable_directory_is_refused_as_sshd_would()
    {
        string script = Path.Combine(_f.ScratchDirectory, "other-keys");
        File.WriteAllText(script, "#!/bin/sh\necho " + _theirs + "\n");
        Assert.Equal(0, ProcessRunner.Run("chmod", ["755", script]).ExitCode);

        var result = Run("alice", "--then", script);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(_ours + "\n", result.Stdout);
        Assert.Contains("bad ownership or modes", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("not run", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Usage_error_in_the_chain_runs_nothing_and_exits_2()
    {
        var result = Run("alice", "--then", "echo", _theirs);

        Assert.Equal(2, result.ExitCode);
        Assert.Empty(result.Stdout);
        Assert.Contains("not an absolute path", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Safe_path_accepts_a_system_binary_and_refuses_a_temporary_file()
    {
        Assert.Null(SafePath.Check("/bin/sh"));
        string file = Path.Combine(_f.ScratchDirectory, "x");
        File.WriteAllText(file, "");
        Assert.NotNull(SafePath.Check(file));
        Assert.Contains("not a regular file", SafePath.Check("/usr/bin"), StringComparison.Ordinal);
    }
}
