using KeyAgentd.KeysCommand;

namespace KeyAgentd.KeysCommand.Tests;

/// <summary>
/// The helper serves a cache only when the file and every directory above it are root-owned and not
/// group- or world-writable (sshd's safe_path), whoever runs it; anything else prints nothing, exits
/// non-zero (sshd then uses no line of ours) and says why on stderr, which sshd logs. The attacks are
/// made as they would be: an unprivileged user (nobody, through setpriv) writes the file.
/// </summary>
[Trait("Category", "Integration")]
public sealed class CacheOwnershipTests : IDisposable
{
    private readonly HelperFixture _f = new();
    private readonly string _planted = SshKeygen.Generate("ed25519", comment: "planted");

    public void Dispose() => _f.Dispose();

    private static void AsNobody(string script)
    {
        var result = ProcessRunner.Run("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "/bin/sh", "-c", script]);
        Assert.True(result.ExitCode == 0, result.Stderr);
    }

    private (int ExitCode, string Stdout, string Stderr) Helper(string user) => _f.Run("--state-dir", _f.StateDirectory, user);

    private static void AssertRefused((int ExitCode, string Stdout, string Stderr) result, string why)
    {
        Assert.Equal(KeysCommandProgram.ExitRefused, result.ExitCode);
        Assert.Empty(result.Stdout);
        Assert.Contains(why, result.Stderr, StringComparison.Ordinal);
        Assert.EndsWith("; refused\n", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_planted_by_another_user_in_a_world_writable_keys_directory_is_not_served()
    {
        // The reported attack: keys/ was found 0777 and kept so; nobody writes keys/victim.
        HelperFixture.Chmod(_f.KeysDirectory, "777");
        AsNobody($"printf '%s\\n' '{_planted}' > '{_f.CachePath("victim")}'");

        AssertRefused(Helper("victim"), $"bad ownership or modes for file {_f.CachePath("victim")} (owner 65534");
    }

    [Fact]
    public void A_root_owned_cache_in_a_world_writable_keys_directory_is_not_served()
    {
        // Whoever can write keys/ can replace the file between two logins: the file's owner alone proves nothing.
        _f.WriteCache("alice", _planted);
        HelperFixture.Chmod(_f.KeysDirectory, "777");

        AssertRefused(Helper("alice"), $"bad ownership or modes for directory {_f.KeysDirectory} (owner 0, mode 0777");
    }

    [Fact]
    public void A_cache_owned_by_another_user_is_not_served()
    {
        _f.WriteCache("alice", _planted);
        Assert.Equal(0, ProcessRunner.Run("chown", ["65534", _f.CachePath("alice")]).ExitCode);

        AssertRefused(Helper("alice"), "bad ownership or modes for file");
    }

    [Fact]
    public void A_group_writable_cache_is_not_served()
    {
        _f.WriteCache("alice", _planted);
        HelperFixture.Chmod(_f.CachePath("alice"), "664");

        AssertRefused(Helper("alice"), "mode 0664; must be root-owned, not group/world-writable");
    }

    [Fact]
    public void A_group_writable_directory_above_the_state_directory_is_refused()
    {
        _f.WriteCache("alice", _planted);
        HelperFixture.Chmod(_f.Root, "775");

        AssertRefused(Helper("alice"), $"bad ownership or modes for directory {_f.Root} (owner 0, mode 0775");
    }

    [Fact]
    public void A_sticky_world_writable_directory_above_is_refused_as_tmp_is()
    {
        // safe_path tests st_mode & 022 alone: the sticky bit does not make a shared directory safe.
        _f.WriteCache("alice", _planted);
        HelperFixture.Chmod(_f.Root, "1777");

        AssertRefused(Helper("alice"), $"bad ownership or modes for directory {_f.Root} (owner 0, mode 01777");
    }

    [Fact]
    public void A_state_directory_under_a_directory_of_another_owner_is_refused()
    {
        _f.WriteCache("alice", _planted);
        Assert.Equal(0, ProcessRunner.Run("chown", ["65534", _f.Root]).ExitCode);

        AssertRefused(Helper("alice"), $"bad ownership or modes for directory {_f.Root} (owner 65534");
    }

    [Fact]
    public void A_symlinked_state_directory_is_judged_by_where_it_leads()
    {
        // A link in a safe place to a state directory in an unsafe one: the target is what is checked.
        string elsewhere = Path.Combine(_f.ScratchDirectory, "state");
        Directory.CreateDirectory(Path.Combine(elsewhere, "keys"));
        File.WriteAllText(Path.Combine(elsewhere, "keys", "alice"), _planted + "\n");
        string link = Path.Combine(_f.Root, "linked-state");
        File.CreateSymbolicLink(link, elsewhere);

        var result = _f.Run("--state-dir", link, "alice");

        Assert.Equal(KeysCommandProgram.ExitRefused, result.ExitCode);
        Assert.Empty(result.Stdout);
        Assert.Contains("bad ownership or modes for directory /tmp", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_refused_cache_runs_no_chained_command()
    {
        // sshd would discard the other command's lines with ours: running it would only delay the login.
        _f.WriteCache("alice", _planted);
        HelperFixture.Chmod(_f.KeysDirectory, "777");

        var (code, stdout, _) = _f.Run("--state-dir", _f.StateDirectory, "alice", "--then", "/bin/echo", "theirs");

        Assert.Equal(KeysCommandProgram.ExitRefused, code);
        Assert.Empty(stdout);
    }

    [Fact]
    public void The_reason_is_one_escaped_line_whatever_the_state_directory_is_called()
    {
        string state = Path.Combine(_f.Root, "st\nate\u001b[2J");
        Directory.CreateDirectory(Path.Combine(state, "keys"));
        HelperFixture.Chmod(state, "777");
        File.WriteAllText(Path.Combine(state, "keys", "alice"), _planted + "\n");

        var (code, _, stderr) = _f.Run("--state-dir", state, "alice");

        Assert.Equal(KeysCommandProgram.ExitRefused, code);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
        Assert.Contains("st\\nate\\x1b[2J", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_sound_cache_is_served_and_no_cache_at_all_is_silent()
    {
        string key = SshKeygen.Generate("ed25519", comment: "alice");
        _f.WriteCache("alice", key);

        Assert.Equal((0, key + "\n", ""), Helper("alice"));
        Assert.Equal((0, "", ""), Helper("bob"));
    }
}
