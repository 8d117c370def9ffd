using System.Text.Json.Nodes;
using KeyAgentd.Sync;
using KeyAgentd.Tests.Support;
using static KeyAgentd.Tests.Sync.SignedSandbox;

namespace KeyAgentd.Tests.Sync;

/// <summary>
/// The rollback floor: the highest serial this host accepted under verification, kept in its own
/// checksummed file and never lowered by losing a file. A removed key never comes back through an
/// older signed snapshot, whatever happens to status.json or the state directory.
/// </summary>
[Trait("Category", "Integration")]
public class RollbackFloorTests
{
    private static readonly string Former = SshKeygen.Generate("ed25519", comment: "former-employee");
    private static readonly string Intruder = SshKeygen.Generate("ed25519", comment: "intruder");

    /// <summary>Serial 2 still grants the former employee on ops; serial 3 removed them.</summary>
    private static string WithFormer(long serial) => Doc(serial, d => d["accounts"]!["ops"]!["keys"]!.AsArray().Add(EngineSandbox.Key(Former, "former@example.com")));

    /// <summary>Serial 2 (with the former employee) and serial 3 (without) applied; returns serial 2's bytes and signature.</summary>
    private static async Task<(string Doc, byte[] Signature)> FormerRemovedAsync(SignedSandbox sandbox)
    {
        string two = WithFormer(2);
        byte[] twoSignature = Release.Sign(two);
        sandbox.Publish(two, twoSignature);
        var first = await sandbox.Box.SyncAsync();
        Assert.True(first.Outcome == SyncOutcome.Ok, SyncSummary.Render(first));
        Assert.Contains("former-employee", File.ReadAllText(sandbox.Box.KeysPath("ops")), StringComparison.Ordinal);
        sandbox.PublishSigned(Doc(3), Release);
        var second = await sandbox.Box.SyncAsync();
        Assert.True(second.Outcome == SyncOutcome.Ok, SyncSummary.Render(second));
        Assert.DoesNotContain("former-employee", File.ReadAllText(sandbox.Box.KeysPath("ops")), StringComparison.Ordinal);
        return (two, twoSignature);
    }

    private static string StatusPath(SignedSandbox sandbox) => Path.Combine(sandbox.Box.Settings.State.Directory, "status.json");

    [Fact]
    public async Task Moving_status_json_away_does_not_let_an_older_signed_snapshot_back_in()
    {
        using var sandbox = new SignedSandbox();
        var (two, twoSignature) = await FormerRemovedAsync(sandbox);
        File.Move(StatusPath(sandbox), StatusPath(sandbox) + ".moved-away");
        sandbox.Box.Restart();

        sandbox.Publish(two, twoSignature);
        var result = await sandbox.Box.SyncAsync();

        Assert.Equal("rollback", result.RegistryProblem?.Code);
        Assert.Equal(3, result.Serial);
        Assert.DoesNotContain("former-employee", File.ReadAllText(sandbox.Box.KeysPath("ops")), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not JSON at all")]
    [InlineData("{\"snapshot_serial\": \"three\"}")]
    public async Task A_damaged_status_json_is_reported_rewritten_and_loses_no_safety(string damage)
    {
        using var sandbox = new SignedSandbox();
        var (two, twoSignature) = await FormerRemovedAsync(sandbox);
        File.WriteAllText(StatusPath(sandbox), damage);
        sandbox.Box.Restart();

        sandbox.Publish(two, twoSignature);
        var result = await sandbox.Box.SyncAsync();

        Assert.Equal("rollback", result.RegistryProblem?.Code);
        Assert.DoesNotContain("former-employee", File.ReadAllText(sandbox.Box.KeysPath("ops")), StringComparison.Ordinal);
        Assert.Equal("registry-unusable", sandbox.Box.State.LoadStatus().Outcome);
    }

    [Theory]
    [InlineData("a FIFO")]
    [InlineData("a directory")]
    [InlineData("a symlink")]
    public async Task A_status_json_that_is_not_a_regular_file_neither_hangs_nor_stops_a_cycle(string kind)
    {
        using var sandbox = new SignedSandbox();
        var (two, twoSignature) = await FormerRemovedAsync(sandbox);
        string status = StatusPath(sandbox);
        File.Delete(status);
        switch (kind)
        {
            case "a FIFO":
                Fifo.Make(status);
                break;
            case "a directory":
                Directory.CreateDirectory(status);
                break;
            default:
                File.CreateSymbolicLink(status, Path.Combine(sandbox.Box.Settings.State.Directory, "trust-state.json"));
                break;
        }
        sandbox.Box.Restart();
        sandbox.Publish(two, twoSignature);

        var result = await Fifo.WithoutHangingOn(status, () => sandbox.Box.SyncAsync());

        Assert.Equal("rollback", result.RegistryProblem?.Code);
        Assert.DoesNotContain("former-employee", File.ReadAllText(sandbox.Box.KeysPath("ops")), StringComparison.Ordinal);
        Assert.Equal("registry-unusable", sandbox.Box.State.LoadStatus().Outcome);
        Assert.True(File.Exists(status) && !File.GetAttributes(status).HasFlag(FileAttributes.ReparsePoint), $"{kind}: status.json is a regular file again");
    }

    [Fact]
    public async Task A_restored_state_directory_backup_brings_no_removed_key_back()
    {
        using var sandbox = new SignedSandbox();
        string stateDir = sandbox.Box.Settings.State.Directory;
        string backup = Path.Combine(sandbox.Box.Root, "state-backup");
        string two = WithFormer(2);
        byte[] twoSignature = Release.Sign(two);
        sandbox.Publish(two, twoSignature);
        Assert.Equal(SyncOutcome.Ok, (await sandbox.Box.SyncAsync()).Outcome);
        CopyDirectory(stateDir, backup);
        sandbox.PublishSigned(Doc(3), Release);
        Assert.Equal(SyncOutcome.Ok, (await sandbox.Box.SyncAsync()).Outcome);
        Assert.DoesNotContain("former-employee", File.ReadAllText(sandbox.Box.KeysPath("ops")), StringComparison.Ordinal);

        // The operator restores last night's backup of the state directory while the registry is down.
        Directory.Delete(stateDir, recursive: true);
        CopyDirectory(backup, stateDir);
        File.Delete(sandbox.Box.RegistryPath);
        sandbox.Box.Restart();
        var down = await sandbox.Box.SyncAsync();

        Assert.Equal(SyncOutcome.RegistryUnusable, down.Outcome);
        Assert.DoesNotContain("former-employee", File.ReadAllText(sandbox.Box.KeysPath("ops")), StringComparison.Ordinal);

        // The registry back, but replaying serial 2: refused as well.
        sandbox.Publish(two, twoSignature);
        var replay = await sandbox.Box.SyncAsync();
        Assert.Equal("rollback", replay.RegistryProblem?.Code);
        Assert.DoesNotContain("former-employee", File.ReadAllText(sandbox.Box.KeysPath("ops")), StringComparison.Ordinal);

        // The genuine serial 3 is accepted.
        sandbox.PublishSigned(Doc(3), Release);
        var back = await sandbox.Box.SyncAsync();
        Assert.True(back.Outcome == SyncOutcome.Ok, SyncSummary.Render(back));
    }

    [Fact]
    public async Task Without_the_trust_state_file_the_floor_is_the_verified_last_known_goods_serial()
    {
        using var sandbox = new SignedSandbox();
        var (two, twoSignature) = await FormerRemovedAsync(sandbox);
        string stateDir = sandbox.Box.Settings.State.Directory;
        foreach (string name in new[] { "trust-state.json", "status.json" })
        {
            File.Delete(Path.Combine(stateDir, name));
        }
        File.Delete(sandbox.Box.Settings.Audit.Path);
        sandbox.Box.Restart();

        sandbox.Publish(two, twoSignature);
        var result = await sandbox.Box.SyncAsync();

        Assert.Equal("rollback", result.RegistryProblem?.Code);
        Assert.Equal(3, result.Serial);
        Assert.DoesNotContain("former-employee", File.ReadAllText(sandbox.Box.KeysPath("ops")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unverified_serial_never_raises_the_floor_enforcement_uses()
    {
        using var sandbox = new SignedSandbox(s => s.Registry.Signatures = "off");
        sandbox.Publish(Doc(2), null);
        Assert.Equal(SyncOutcome.Ok, (await sandbox.Box.SyncAsync()).Outcome);
        sandbox.Publish(Doc(9_999_999_999, d => d["accounts"]!["ops"]!["keys"]!.AsArray().Add(EngineSandbox.Key(Intruder, "intruder@example.com"))), null);
        Assert.Equal(SyncOutcome.Ok, (await sandbox.Box.SyncAsync()).Outcome);
        Assert.Contains("intruder", File.ReadAllText(sandbox.Box.KeysPath("ops")), StringComparison.Ordinal);

        // Enforcement switched on (the setting removed: allowed_signers is there); the genuine signed serial 3 is applied.
        sandbox.Box.Settings.Registry.Signatures = null;
        sandbox.PublishSigned(Doc(3), Release);
        var result = await sandbox.Box.SyncAsync();

        Assert.True(result.Outcome == SyncOutcome.Ok, SyncSummary.Render(result));
        Assert.Equal(3, result.Serial);
        Assert.DoesNotContain("intruder", File.ReadAllText(sandbox.Box.KeysPath("ops")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_rollback_refusal_says_one_thing_about_what_is_kept()
    {
        using var sandbox = new SignedSandbox(s => s.Registry.Signatures = "off");
        sandbox.Publish(Doc(9_999_999_999), null);
        Assert.Equal(SyncOutcome.Ok, (await sandbox.Box.SyncAsync()).Outcome);
        sandbox.Publish(Doc(3), null);

        var result = await sandbox.Box.SyncAsync();

        // Under off the floor of unverified snapshots still refuses a lower serial, and the message is consistent.
        Assert.Equal("rollback", result.RegistryProblem?.Code);
        string summary = SyncSummary.Render(result);
        Assert.Contains("kept last-known-good", summary, StringComparison.Ordinal);
        Assert.DoesNotContain("no last-known-good", summary, StringComparison.Ordinal);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(summary, "last-known-good"));
    }

    [Fact]
    public async Task A_snapshot_the_mass_removal_guard_stopped_does_not_raise_the_floor()
    {
        using var sandbox = new SignedSandbox(s => s.Safety.MinRemovedKeys = 1);
        await SignedRegistryRefusalTests.AppliedAsync(sandbox);
        sandbox.PublishSigned(Doc(3, d => d["accounts"] = new JsonObject()), Release);
        Assert.Equal(SyncOutcome.GuardTripped, (await sandbox.Box.SyncAsync()).Outcome);

        // Registry down, a new process: serial 2 is still the last-known-good, not a rollback below an unapplied 3.
        File.Delete(sandbox.Box.RegistryPath);
        sandbox.Box.Restart();
        var result = await sandbox.Box.SyncAsync();

        Assert.Equal(2, result.Serial);
        Assert.Equal("unreachable", result.RegistryProblem?.Code);
        Assert.DoesNotContain(sandbox.Box.AuditRecords(), r => (string?)r["action"] == "snapshot-refused");
    }

    /// <summary>How an audit log can be left open to someone other than root.</summary>
    public static TheoryData<string> LooseAuditLogs => new() { "mode 0666", "mode 0660", "owned by nobody" };

    [Theory]
    [MemberData(nameof(LooseAuditLogs))]
    public async Task A_serial_planted_in_an_audit_log_others_can_write_never_holds_back_a_genuine_snapshot(string loose)
    {
        using var sandbox = new SignedSandbox();
        await FormerRemovedAsync(sandbox);
        string log = sandbox.Box.Settings.Audit.Path;
        switch (loose)
        {
            case "mode 0666":
                Assert.Equal(0, Mono.Unix.Native.Syscall.chmod(log, (Mono.Unix.Native.FilePermissions)0b110_110_110));
                break;
            case "mode 0660":
                Assert.Equal(0, Mono.Unix.Native.Syscall.chmod(log, (Mono.Unix.Native.FilePermissions)0b110_110_000));
                break;
            default:
                Assert.Equal(0, Mono.Unix.Native.Syscall.chown(log, 65534, 65534));
                break;
        }
        // Whoever can write the log appends a signed acceptance of a huge serial, chained to the last record
        // as a real append would be (so the next cycle adopts it as written by a stopped append).
        string last = File.ReadLines(log).Last();
        string prev = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(last)));
        File.AppendAllText(log, $"{{\"time\":\"2026-11-21T10:00:00Z\",\"action\":\"snapshot-accepted\",\"host\":\"{HostName}\",\"serial\":9000000000000000000,\"signers\":[\"release@example.com\"],\"prev\":\"{prev}\"}}\n");
        sandbox.Box.Restart();

        // The registry's next genuine snapshot revokes the ops key: it must go out, not be refused as a rollback.
        sandbox.PublishSigned(Doc(4, d => d["accounts"]!["ops"]!["keys"]!.AsArray().RemoveAt(0)), Release);
        var result = await sandbox.Box.SyncAsync();

        Assert.True(result.Outcome == SyncOutcome.Ok, $"{loose}: {SyncSummary.Render(result)}");
        Assert.Equal(4, result.Serial);
        Assert.DoesNotContain("ops-key", File.ReadAllText(sandbox.Box.KeysPath("ops")), StringComparison.Ordinal);
    }

    internal static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
        foreach (string directory in Directory.GetDirectories(from))
        {
            CopyDirectory(directory, Path.Combine(to, Path.GetFileName(directory)));
        }
    }
}
