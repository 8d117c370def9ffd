using KeyAgentd.Accounts;
using KeyAgentd.Cli;
using KeyAgentd.Doctor;
using KeyAgentd.Homes;
using KeyAgentd.State;
using KeyAgentd.Sync;
using KeyAgentd.Tests.Support;
using KeyAgentd.Tests.Sync;

namespace KeyAgentd.Tests.Cli;

/// <summary>`keyagentd doctor USER` on real accounts after a real sync: exit 0 when healthy, 1 with a line that says why.</summary>
[Trait("Category", "Integration")]
public sealed class DoctorCommandTests
{
    private static readonly string Key = SshKeygen.Generate("ed25519", comment: "doctor");

    /// <summary>What the command does, with sshd's own settings left out (sshd -T depends on the host).</summary>
    private static (int Exit, string Output) Doctor(SyncSandbox sandbox, string user)
    {
        var (exit, output) = DoctorBytes(sandbox, user);
        return (exit, System.Text.Encoding.UTF8.GetString(output));
    }

    /// <summary>The command's own output path, with the bytes a terminal would receive.</summary>
    private static (int Exit, byte[] Output) DoctorBytes(SyncSandbox sandbox, string user)
    {
        var doctor = new AccountDoctor(sandbox.Settings, AppServices.CreateAccountDatabase(sandbox.Settings), new HomeKeyFiles(),
            new StateStore(sandbox.Settings.State.Directory), _ => null);
        int exit = -1;
        byte[] output = HostileText.Capture(stdout => exit = DoctorCommand.Run(doctor, user, DateTimeOffset.UtcNow, TimeZoneInfo.Utc, stdout));
        return (exit, output);
    }

    private static async Task<SyncSandbox> SyncedAsync(TestAccount account)
    {
        var sandbox = new SyncSandbox();
        sandbox.Publish(new Dictionary<string, string[]> { [account.Account.Name] = [Key] });
        Assert.Equal(SyncOutcome.Ok, (await sandbox.SyncAsync()).Outcome);
        return sandbox;
    }

    [RootFact]
    public async Task A_synced_account_is_healthy()
    {
        using var alice = TestAccount.Create();
        using var sandbox = await SyncedAsync(alice);
        var (exit, output) = Doctor(sandbox, alice.Account.Name);
        Assert.True(exit == ExitCodes.Ok, output);
    }

    [RootFact]
    public async Task A_group_writable_dot_ssh_is_a_problem_named_on_its_own_line()
    {
        using var alice = TestAccount.Create();
        using var sandbox = await SyncedAsync(alice);
        TestAccount.Chmod(alice.SshDir, 0x1F8);
        var (exit, output) = Doctor(sandbox, alice.Account.Name);
        Assert.Equal(ExitCodes.Failed, exit);
        Assert.Contains(output.Split('\n'), l => l.Contains(alice.SshDir, StringComparison.Ordinal) && l.Contains("writable", StringComparison.OrdinalIgnoreCase));
    }

    [RootFact]
    public async Task A_world_writable_keys_directory_is_a_problem_because_keyagentd_keys_refuses_it()
    {
        using var alice = TestAccount.Create();
        using var sandbox = await SyncedAsync(alice);
        string keys = Path.Combine(sandbox.Settings.State.Directory, "keys");
        TestAccount.Chmod(keys, 0x1FF);
        sandbox.Settings.Delivery.AuthorizedKeysFiles = false;

        var (exit, output) = Doctor(sandbox, alice.Account.Name);

        Assert.Equal(ExitCodes.Failed, exit);
        Assert.Contains(output.Split('\n'), l => l.Contains("FAIL", StringComparison.Ordinal) && l.Contains($"{keys} (owner 0, mode 0777)", StringComparison.Ordinal));
    }

    [RootFact]
    public async Task A_loose_directory_above_where_a_symlinked_state_directory_leads_is_a_problem()
    {
        using var alice = TestAccount.Create();
        using var sandbox = await SyncedAsync(alice);
        // The configured path is a link (the administrator's to make); keyagentd-keys resolves it and
        // refuses the cache for what lies above its target, so that is what doctor must name.
        string state = sandbox.Settings.State.Directory;
        string loose = Path.Combine(Path.GetDirectoryName(state)!, "loose");
        Directory.CreateDirectory(loose);
        TestAccount.Chmod(loose, 0x1FF);
        Directory.Move(state, Path.Combine(loose, "state"));
        File.CreateSymbolicLink(state, Path.Combine(loose, "state"));
        sandbox.Settings.Delivery.AuthorizedKeysFiles = false;

        var (exit, output) = Doctor(sandbox, alice.Account.Name);

        Assert.Equal(ExitCodes.Failed, exit);
        Assert.Contains(output.Split('\n'), l => l.Contains("FAIL", StringComparison.Ordinal) && l.Contains($"{loose} (owner 0, mode 0777)", StringComparison.Ordinal));
    }

    [RootFact]
    public async Task A_file_with_keyagentds_header_that_is_no_longer_maintained_is_a_problem()
    {
        using var alice = TestAccount.Create();
        using var sandbox = await SyncedAsync(alice);
        // File delivery switched off with nothing run since: the file keyagentd wrote is still read by sshd.
        sandbox.Settings.Delivery.AuthorizedKeysFiles = false;

        var (exit, output) = Doctor(sandbox, alice.Account.Name);

        Assert.Equal(ExitCodes.Failed, exit);
        Assert.Contains(output.Split('\n'), l => l.Contains("FAIL", StringComparison.Ordinal)
            && l.Contains("carries keyagentd's header but is no longer maintained", StringComparison.Ordinal)
            && l.Contains("sshd still accepts its 1 key(s)", StringComparison.Ordinal));

        // Once a sync has taken keyagentd's lines out, the empty file is no problem with helper delivery.
        Assert.Equal(SyncOutcome.Ok, (await sandbox.SyncAsync()).Outcome);
        Assert.DoesNotContain("no longer maintained", Doctor(sandbox, alice.Account.Name).Output, StringComparison.Ordinal);
        Assert.DoesNotContain("no usable key", Doctor(sandbox, alice.Account.Name).Output, StringComparison.Ordinal);
    }

    [RootFact]
    public void A_missing_account_is_a_problem()
    {
        using var sandbox = new SyncSandbox();
        var (exit, output) = Doctor(sandbox, "katnosuchuser");
        Assert.Equal(ExitCodes.Failed, exit);
        Assert.Contains("no such account", output, StringComparison.Ordinal);
    }

    [RootFact]
    public void A_dsa_only_file_has_no_usable_key()
    {
        using var alice = TestAccount.Create();
        using var sandbox = new SyncSandbox();
        alice.MakeKeyFile(SshKeygen.Generate("dsa", 1024) + "\n");
        var (exit, output) = Doctor(sandbox, alice.Account.Name);
        Assert.Equal(ExitCodes.Failed, exit);
        Assert.Contains("no usable key", output, StringComparison.Ordinal);
        Assert.Contains("dsa", output, StringComparison.OrdinalIgnoreCase);
    }

    [RootFact]
    public void A_putty_rfc4716_block_shows_the_fix_line()
    {
        using var alice = TestAccount.Create();
        using var sandbox = new SyncSandbox();
        string path = Path.Combine(alice.Root, "putty.pub");
        File.WriteAllText(path, Key + "\n");
        string rfc4716 = TestAccount.Run("ssh-keygen", "-e", "-f", path);
        alice.MakeKeyFile(rfc4716);
        var (exit, output) = Doctor(sandbox, alice.Account.Name);
        Assert.Equal(ExitCodes.Failed, exit);
        Assert.Contains(output.Split('\n'), l => l.TrimStart().StartsWith("fix:", StringComparison.Ordinal));
    }

    [RootFact]
    public void Esc_c1_controls_and_line_separators_from_comments_reach_no_output_raw()
    {
        using var alice = TestAccount.Create();
        using var sandbox = new SyncSandbox();
        alice.MakeKeyFile("");
        File.WriteAllBytes(alice.KeyFile, HostileText.AuthorizedKeys(Key));

        var (exit, output) = DoctorBytes(sandbox, alice.Account.Name);

        Assert.Equal(ExitCodes.Failed, exit);
        HostileText.AssertInert(output);
        Assert.Contains("csi\\x9b2J nel\\x85 ls\\u2028ps\\u2029end", System.Text.Encoding.UTF8.GetString(output), StringComparison.Ordinal);
    }

    [Fact]
    public void Every_report_line_is_escaped_where_it_is_assembled()
    {
        var report = new DoctorReport();
        report.Section("account \u009b");
        report.Ok("\u001b[2J");
        report.Info("a\u2028b");
        report.Detail("c\u0085d");
        report.Warn("e\nf");
        report.Fail("g\u2029h");

        // Six entries, six lines: no text forged a line of its own.
        Assert.Equal(6, report.ToString().Count(c => c == '\n'));
        HostileText.AssertInert(System.Text.Encoding.UTF8.GetBytes(report.ToString()));
    }

    [RootFact]
    public void An_rsa_sha2_type_token_is_a_key_sshd_reads_with_a_warning_and_the_ssh_rsa_fix()
    {
        using var alice = TestAccount.Create();
        using var sandbox = new SyncSandbox();
        string rsa = SshKeygen.Generate("rsa", 3072, comment: "ops");
        alice.MakeKeyFile($"rsa-sha2-512 {rsa.Split(' ')[1]} ops\n");

        var (exit, output) = Doctor(sandbox, alice.Account.Name);

        Assert.True(exit == ExitCodes.Ok, output);
        Assert.Contains(output.Split('\n'), l => l.StartsWith("  WARN  line 1: RSA 3072", StringComparison.Ordinal) && l.Contains("needs-conversion", StringComparison.Ordinal));
        Assert.Contains(output.Split('\n'), l => l.Trim() == "fix: " + rsa);
    }
}
