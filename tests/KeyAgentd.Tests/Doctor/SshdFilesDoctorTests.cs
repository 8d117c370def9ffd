using KeyAgentd.Cli;
using KeyAgentd.Doctor;
using KeyAgentd.Homes;
using KeyAgentd.State;
using KeyAgentd.Sync;
using KeyAgentd.Tests.Support;
using KeyAgentd.Tests.Sync;

namespace KeyAgentd.Tests.Doctor;

/// <summary>
/// `doctor USER` judges the files sshd's effective configuration points at, as sshd will use them: a
/// missing RevokedKeys file locks every key out, an AuthorizedKeysCommand sshd will not run yields no
/// key. Each is a FAIL line with its stable code (exit 1), never "no problems found".
/// </summary>
[Trait("Category", "Integration")]
public sealed class SshdFilesDoctorTests
{
    private static readonly string Key = SshKeygen.Generate("ed25519", comment: "doctor-sshd");

    private static async Task<SyncSandbox> SyncedAsync(TestAccount account)
    {
        var sandbox = new SyncSandbox();
        sandbox.Publish(new Dictionary<string, string[]> { [account.Account.Name] = [Key] });
        Assert.Equal(SyncOutcome.Ok, (await sandbox.SyncAsync()).Outcome);
        return sandbox;
    }

    /// <summary>doctor with `sshd -T` answering <paramref name="sshd"/> (the host's own sshd differs from machine to machine).</summary>
    private static (int Exit, string[] Lines) Doctor(SyncSandbox sandbox, string user, Dictionary<string, string> sshd)
    {
        var doctor = new AccountDoctor(sandbox.Settings, AppServices.CreateAccountDatabase(sandbox.Settings), new HomeKeyFiles(),
            new StateStore(sandbox.Settings.State.Directory), _ => new SshdConfigProbe.Result(sshd, null));
        var output = new StringWriter();
        int exit = DoctorCommand.Run(doctor, user, DateTimeOffset.UtcNow, TimeZoneInfo.Utc, output);
        return (exit, output.ToString().Split('\n'));
    }

    private static Dictionary<string, string> Sshd(string revokedKeys, string command = "none", string files = ".ssh/authorized_keys") => new()
    {
        ["pubkeyauthentication"] = "yes",
        ["authorizedkeysfile"] = files,
        ["authorizedkeyscommand"] = command,
        ["authorizedkeyscommanduser"] = "nobody",
        ["revokedkeys"] = revokedKeys,
    };

    private static string KrlPath(SyncSandbox sandbox) => sandbox.Settings.Sshd.ResolveRevokedKeysFile(sandbox.Settings.State);

    [RootFact]
    public async Task The_krl_keyagentd_wrote_as_sshds_revoked_keys_is_healthy()
    {
        using var alice = TestAccount.Create();
        using var sandbox = await SyncedAsync(alice);

        var (exit, lines) = Doctor(sandbox, alice.Account.Name, Sshd(KrlPath(sandbox)));

        Assert.True(exit == ExitCodes.Ok, string.Join('\n', lines));
        Assert.Contains(lines, l => l.Contains($"ok    revokedkeys {KrlPath(sandbox)} (a KRL", StringComparison.Ordinal));
    }

    [RootFact]
    public async Task A_missing_revoked_keys_file_is_a_problem_that_says_sshd_refuses_every_key()
    {
        using var alice = TestAccount.Create();
        using var sandbox = await SyncedAsync(alice);
        File.Delete(KrlPath(sandbox));

        var (exit, lines) = Doctor(sandbox, alice.Account.Name, Sshd(KrlPath(sandbox)));

        Assert.Equal(ExitCodes.Failed, exit);
        Assert.Contains(lines, l => l.StartsWith($"  FAIL  sshd-krl-missing: RevokedKeys {KrlPath(sandbox)} does not exist: sshd refuses EVERY public key", StringComparison.Ordinal));
    }

    [RootFact]
    public async Task A_group_writable_revoked_keys_file_is_a_problem()
    {
        using var alice = TestAccount.Create();
        using var sandbox = await SyncedAsync(alice);
        TestAccount.Chmod(KrlPath(sandbox), 0x1B4);

        var (exit, lines) = Doctor(sandbox, alice.Account.Name, Sshd(KrlPath(sandbox)));

        Assert.Equal(ExitCodes.Failed, exit);
        Assert.Contains(lines, l => l.StartsWith("  FAIL  sshd-krl-unsafe: RevokedKeys: ", StringComparison.Ordinal) && l.Contains("group/world-writable", StringComparison.Ordinal));
    }

    [RootFact]
    public async Task An_authorized_keys_command_that_does_not_exist_is_a_problem()
    {
        using var alice = TestAccount.Create();
        using var sandbox = await SyncedAsync(alice);
        string command = Path.Combine(sandbox.Root, "no-such-helper");

        var (exit, lines) = Doctor(sandbox, alice.Account.Name, Sshd(KrlPath(sandbox), $"{command} %u %f"));

        Assert.Equal(ExitCodes.Failed, exit);
        Assert.Contains(lines, l => l.StartsWith($"  FAIL  sshd-command-missing: AuthorizedKeysCommand {command} does not exist", StringComparison.Ordinal));
    }

    [RootFact]
    public async Task An_authorized_keys_command_in_a_world_writable_directory_is_a_problem_sshd_will_not_run()
    {
        using var alice = TestAccount.Create();
        using var sandbox = await SyncedAsync(alice);
        string bin = Path.Combine(sandbox.Root, "bin");
        Directory.CreateDirectory(bin);
        string command = Path.Combine(bin, "helper");
        File.WriteAllText(command, "#!/bin/sh\n");
        TestAccount.Chmod(command, 0x1ED);
        TestAccount.Chmod(bin, 0x1FF);

        var (exit, lines) = Doctor(sandbox, alice.Account.Name, Sshd(KrlPath(sandbox), $"{command} %u"));

        Assert.Equal(ExitCodes.Failed, exit);
        Assert.Contains(lines, l => l.StartsWith("  FAIL  sshd-command-unsafe: AuthorizedKeysCommand: ", StringComparison.Ordinal) && l.Contains($"{bin} is group/world-writable", StringComparison.Ordinal));
    }

    [RootFact]
    public async Task Authorized_keys_file_none_while_keyagentd_delivers_files_is_a_problem()
    {
        using var alice = TestAccount.Create();
        using var sandbox = await SyncedAsync(alice);

        var (exit, lines) = Doctor(sandbox, alice.Account.Name, Sshd(KrlPath(sandbox), files: "none"));

        Assert.Equal(ExitCodes.Failed, exit);
        Assert.Contains(lines, l => l.StartsWith("  FAIL  sshd-keys-file-unread: AuthorizedKeysFile none", StringComparison.Ordinal));
    }

    [RootFact]
    public async Task Authorized_keys_file_none_with_the_helper_serving_the_keys_is_only_a_warning()
    {
        using var alice = TestAccount.Create();
        using var sandbox = await SyncedAsync(alice);

        // The helper answers from the cache keyagentd writes in both delivery modes: logins work.
        var (exit, lines) = Doctor(sandbox, alice.Account.Name, Sshd(KrlPath(sandbox), "/usr/lib/keyagentd/keyagentd-keys %u %f", files: "none"));

        Assert.Contains(lines, l => l.StartsWith("  WARN  sshd-keys-file-unread: AuthorizedKeysFile none: sshd reads", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("FAIL  sshd-keys-file-unread", StringComparison.Ordinal));
    }

    [RootFact]
    public async Task A_world_writable_second_keys_file_sshd_reads_is_a_problem()
    {
        using var alice = TestAccount.Create();
        using var sandbox = await SyncedAsync(alice);
        string second = Path.Combine(alice.SshDir, "authorized_keys2");
        File.WriteAllText(second, Key + "\n");
        TestAccount.Chown(second, alice.Uid, alice.Gid);
        TestAccount.Chmod(second, 0x1B6);

        var (exit, lines) = Doctor(sandbox, alice.Account.Name, Sshd(KrlPath(sandbox), files: ".ssh/authorized_keys %h/.ssh/authorized_keys2"));

        Assert.Equal(ExitCodes.Failed, exit);
        Assert.Contains(lines, l => l.StartsWith("  FAIL  sshd-keys-file-unsafe: AuthorizedKeysFile: ", StringComparison.Ordinal) && l.Contains(second, StringComparison.Ordinal));
    }

    [RootFact]
    public async Task The_last_sync_ending_registry_unusable_is_a_problem_not_ok()
    {
        using var alice = TestAccount.Create();
        using var sandbox = await SyncedAsync(alice);
        File.WriteAllText(sandbox.RegistryPath, "{ not json");
        Assert.Equal(SyncOutcome.RegistryUnusable, (await sandbox.SyncAsync()).Outcome);

        var (exit, lines) = Doctor(sandbox, alice.Account.Name, Sshd(KrlPath(sandbox)));

        Assert.Equal(ExitCodes.Failed, exit);
        Assert.Contains(lines, l => l.StartsWith("  FAIL  last-sync-failed: the last sync (", StringComparison.Ordinal) && l.Contains("ended registry-unusable", StringComparison.Ordinal));
    }
}
