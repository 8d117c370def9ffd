using System.Text.Json;
using KeyAgentd.Audit;
using KeyAgentd.Cli;
using KeyAgentd.State;
using KeyAgentd.Sync;
using KeyAgentd.Tests.Support;
using KeyAgentd.Tests.Sync;
using KeyAgentd.Verify;
using static KeyAgentd.Tests.Sync.SignedSandbox;

namespace KeyAgentd.Tests.Cli;

/// <summary>
/// `keyagentd trust reset-serial --to N` and `trust allow-unsigned`: the only ways down for a host's trust,
/// each audited as trust-reset; and `status` / `doctor` showing the floor and sticky enforcement.
/// </summary>
public class TrustCommandTests
{
    private static readonly string Intruder = SshKeygen.Generate("ed25519", comment: "intruder");

    private static TrustReset Reset(SignedSandbox sandbox) =>
        new(sandbox.Box.State, new AuditLog(sandbox.Box.Settings.Audit.Path, sandbox.Box.State.AuditHeadPath, sandbox.Box.Time),
            HostName, sandbox.Box.Time.GetUtcNow());

    private static string TrustStatePath(SignedSandbox sandbox) => Path.Combine(sandbox.Box.Settings.State.Directory, TrustStateStore.FileName);

    private static async Task SignedSerialAsync(SignedSandbox sandbox, long serial)
    {
        sandbox.PublishSigned(Doc(serial), Release);
        var result = await sandbox.Box.SyncAsync();
        Assert.True(result.Outcome == SyncOutcome.Ok, SyncSummary.Render(result));
    }

    [Theory]
    [InlineData("edited serial")]
    [InlineData("truncated")]
    [InlineData("not JSON")]
    [InlineData("a directory")]
    public async Task A_damaged_trust_state_refuses_every_snapshot_until_reset_serial(string damage)
    {
        using var sandbox = new SignedSandbox();
        await SignedSerialAsync(sandbox, 5);
        string path = TrustStatePath(sandbox);
        string text = File.ReadAllText(path);
        File.Delete(path);
        switch (damage)
        {
            case "edited serial":
                File.WriteAllText(path, text.Replace("\"serial\": 5", "\"serial\": 0", StringComparison.Ordinal));
                Assert.NotEqual(text, File.ReadAllText(path));
                break;
            case "truncated":
                File.WriteAllText(path, text[..(text.Length / 2)]);
                break;
            case "not JSON":
                File.WriteAllText(path, "\0\0\0\0");
                break;
            default:
                Directory.CreateDirectory(path);
                break;
        }
        var before = sandbox.ProtectedFiles();
        sandbox.Box.Restart();

        sandbox.PublishSigned(Doc(6, d => d["accounts"]!["ops"]!["keys"]!.AsArray().Add(EngineSandbox.Key(Intruder, "intruder@example.com"))), Release);
        var refused = await sandbox.Box.SyncAsync();

        Assert.Equal(SyncOutcome.RegistryUnusable, refused.Outcome);
        Assert.Equal(SyncEngine.TrustStateUnusable, refused.RegistryProblem?.Code);
        Assert.Contains("trust reset-serial", refused.RegistryProblem!.Message, StringComparison.Ordinal);
        Assert.Equal(5, refused.Serial);
        Assert.Equal(before, sandbox.ProtectedFiles());
        var text2 = new StringWriter();
        Assert.Equal(ExitCodes.Failed, StatusCommand.Run(sandbox.Box.State, false, sandbox.Box.Time.GetUtcNow(), text2, sandbox.Box.Settings.Audit.Path));
        Assert.Contains("UNUSABLE", text2.ToString(), StringComparison.Ordinal);

        if (damage == "a directory")
        {
            // Nothing is renamed over a directory: the operator removes it, and the floor comes back from the audit log.
            Directory.Delete(path);
        }
        var output = new StringWriter();
        Assert.Equal(ExitCodes.Ok, TrustCommand.ResetSerial(Reset(sandbox), 5, output, TextWriter.Null));
        Assert.Contains(damage == "a directory" ? "rollback floor: 5 → 5" : "rollback floor: unusable", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("→ 5", output.ToString(), StringComparison.Ordinal);
        var back = await sandbox.Box.SyncAsync();
        Assert.True(back.Outcome == SyncOutcome.Ok, SyncSummary.Render(back));
        Assert.Equal(6, back.Serial);
    }

    [Fact]
    public async Task Reset_serial_lowers_the_floor_sets_the_last_known_good_aside_and_is_audited()
    {
        using var sandbox = new SignedSandbox();
        await SignedSerialAsync(sandbox, 100);
        // The registry was rebuilt and numbers from 1 again: refused as a rollback until the operator says so.
        sandbox.PublishSigned(Doc(1), Release);
        Assert.Equal("rollback", (await sandbox.Box.SyncAsync()).RegistryProblem?.Code);

        var output = new StringWriter();
        int exit = TrustCommand.ResetSerial(Reset(sandbox), 1, output, TextWriter.Null);

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Contains("rollback floor: 100 → 1", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("serial 100 set aside", output.ToString(), StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(sandbox.Box.Settings.State.Directory, "snapshot.json.set-aside")));
        var record = sandbox.Box.AuditRecords().Last();
        Assert.Equal("trust-reset", (string?)record["action"]);
        Assert.Equal("reset-serial", (string?)record["reason"]);
        Assert.Equal(1, (long?)record["serial"]);
        Assert.True(AuditVerifier.Verify(sandbox.Box.Settings.Audit.Path, sandbox.Box.State.AuditHeadPath).Ok);

        var result = await sandbox.Box.SyncAsync();
        Assert.True(result.Outcome == SyncOutcome.Ok, SyncSummary.Render(result));
        Assert.Equal(1, result.Serial);
        // The floor is the new serial again: the old one cannot come back either.
        sandbox.PublishSigned(Doc(0), Release);
        Assert.Equal("rollback", (await sandbox.Box.SyncAsync()).RegistryProblem?.Code);
    }

    [Fact]
    public async Task Allow_unsigned_lifts_sticky_enforcement_and_is_audited()
    {
        using var sandbox = new SignedSandbox();
        await SignedSerialAsync(sandbox, 2);
        File.Delete(sandbox.AllowedSignersPath);
        sandbox.Publish(Doc(3), null);
        Assert.Equal("trust-roots-unusable", (await sandbox.Box.SyncAsync()).RegistryProblem?.Code);
        var status = new StringWriter();
        StatusCommand.Run(sandbox.Box.State, true, sandbox.Box.Time.GetUtcNow(), status, sandbox.Box.Settings.Audit.Path);
        var json = JsonDocument.Parse(status.ToString()).RootElement;
        Assert.True(json.GetProperty("signatures_required").GetBoolean());
        Assert.Equal(2, json.GetProperty("rollback_floor").GetInt64());

        var output = new StringWriter();
        int exit = TrustCommand.AllowUnsigned(Reset(sandbox), SignatureMode.Off, output, TextWriter.Null);

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Contains("no longer required", output.ToString(), StringComparison.Ordinal);
        var record = sandbox.Box.AuditRecords().Last();
        Assert.Equal("trust-reset", (string?)record["action"]);
        Assert.Equal("allow-unsigned", (string?)record["reason"]);
        var result = await sandbox.Box.SyncAsync();
        Assert.True(result.Outcome == SyncOutcome.Ok, SyncSummary.Render(result));
        Assert.Equal(3, result.Serial);
        Assert.True(sandbox.Box.State.LoadStatus().Unauthenticated);
        // Nothing more to lift.
        Assert.Equal(ExitCodes.Ok, TrustCommand.AllowUnsigned(Reset(sandbox), SignatureMode.Off, output, TextWriter.Null));
        Assert.Contains("nothing to do", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_and_doctor_show_the_floor_and_sticky_enforcement()
    {
        using var sandbox = new SignedSandbox();
        await SignedSerialAsync(sandbox, 7);

        var text = new StringWriter();
        StatusCommand.Run(sandbox.Box.State, false, sandbox.Box.Time.GetUtcNow(), text, sandbox.Box.Settings.Audit.Path);
        Assert.Contains("trust:        rollback floor 7 (verified); signatures required (sticky since", text.ToString(), StringComparison.Ordinal);

        var doctor = new KeyAgentd.Doctor.AccountDoctor(sandbox.Box.Settings, AppServices.CreateAccountDatabase(sandbox.Box.Settings),
            new KeyAgentd.Homes.HomeKeyFiles(), sandbox.Box.State, _ => null);
        string report = doctor.Examine("ops", sandbox.Box.Time.GetUtcNow(), TimeZoneInfo.Utc).ToString();
        Assert.Contains("trust: rollback floor 7 (verified); signatures required", report, StringComparison.Ordinal);
    }
}
