using KeyAgentd.Cli;
using KeyAgentd.Doctor;
using KeyAgentd.Homes;
using KeyAgentd.State;
using KeyAgentd.Sync;
using KeyAgentd.Tests.Support;
using KeyAgentd.Tests.Sync;

namespace KeyAgentd.Tests.Cli;

/// <summary>`keyagentd doctor USER` names a trust file the next sync would refuse, and the fix.</summary>
[Trait("Category", "Integration")]
public sealed class DoctorTrustRootsTests
{
    private static readonly string Key = SshKeygen.Generate("ed25519", comment: "doctor-trust");

    private static (int Exit, string Output) Doctor(SyncSandbox sandbox, string user)
    {
        var doctor = new AccountDoctor(sandbox.Settings, AppServices.CreateAccountDatabase(sandbox.Settings), new HomeKeyFiles(),
            new StateStore(sandbox.Settings.State.Directory), _ => null);
        int exit = -1;
        byte[] output = HostileText.Capture(stdout => exit = DoctorCommand.Run(doctor, user, DateTimeOffset.UtcNow, TimeZoneInfo.Utc, stdout));
        return (exit, System.Text.Encoding.UTF8.GetString(output));
    }

    [RootFact]
    public async Task A_world_writable_allowed_signers_file_is_a_problem_named_with_its_fix()
    {
        using var alice = TestAccount.Create();
        using var sandbox = new SyncSandbox();
        sandbox.Publish(new Dictionary<string, string[]> { [alice.Account.Name] = [Key] });
        Assert.Equal(SyncOutcome.Ok, (await sandbox.SyncAsync()).Outcome);
        string allowed = Path.Combine(sandbox.Root, "allowed_signers");
        File.WriteAllText(allowed, $"release@example.com {SignedSandbox.Release.KeyText}\n");
        TestAccount.Chmod(allowed, 0x1A4);
        sandbox.Settings.Registry.AllowedSignersFile = allowed;
        sandbox.Settings.Registry.Signatures = "enforce";

        var (healthyExit, healthy) = Doctor(sandbox, alice.Account.Name);
        Assert.True(healthyExit == ExitCodes.Ok, healthy);
        Assert.Contains($"ok    {allowed}: 1 signer line(s), signatures enforce", healthy, StringComparison.Ordinal);

        TestAccount.Chmod(allowed, 0x1B6);
        var (exit, output) = Doctor(sandbox, alice.Account.Name);

        Assert.Equal(ExitCodes.Failed, exit);
        Assert.Contains(output.Split('\n'), l => l.Contains("FAIL", StringComparison.Ordinal) && l.Contains("trust-roots-unusable", StringComparison.Ordinal)
            && l.Contains(allowed, StringComparison.Ordinal) && l.Contains($"chown root:root {allowed}; chmod go-w {allowed}", StringComparison.Ordinal));
    }

    [RootFact]
    public async Task A_revoked_signers_line_that_does_not_parse_is_a_problem_naming_the_file_and_line()
    {
        using var alice = TestAccount.Create();
        using var sandbox = new SyncSandbox();
        sandbox.Publish(new Dictionary<string, string[]> { [alice.Account.Name] = [Key] });
        Assert.Equal(SyncOutcome.Ok, (await sandbox.SyncAsync()).Outcome);
        string allowed = Path.Combine(sandbox.Root, "allowed_signers");
        string revoked = Path.Combine(sandbox.Root, "revoked_signers");
        File.WriteAllText(allowed, $"release@example.com {SignedSandbox.Release.KeyText}\n");
        File.WriteAllText(revoked, $"{SignedSandbox.Compromised.Fingerprint} # leaked\nthe old laptop\n");
        sandbox.Settings.Registry.AllowedSignersFile = allowed;
        sandbox.Settings.Registry.RevokedSignersFile = revoked;

        var (exit, output) = Doctor(sandbox, alice.Account.Name);

        Assert.Equal(ExitCodes.Failed, exit);
        Assert.Contains(output.Split('\n'), l => l.Contains("FAIL", StringComparison.Ordinal) && l.Contains(revoked, StringComparison.Ordinal) && l.Contains("line 2:", StringComparison.Ordinal));
    }
}
