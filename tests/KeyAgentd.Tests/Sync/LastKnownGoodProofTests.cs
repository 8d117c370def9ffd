using KeyAgentd.Sync;
using KeyAgentd.Tests.Support;
using static KeyAgentd.Tests.Sync.SignedSandbox;

namespace KeyAgentd.Tests.Sync;

/// <summary>The last-known-good snapshot is kept with its signature and re-verified by every new process under enforce.</summary>
public class LastKnownGoodProofTests
{
    private static readonly string Intruder = SshKeygen.Generate("ed25519", comment: "intruder");

    [Fact]
    public async Task A_verified_last_known_good_carries_a_restart_through_a_registry_outage()
    {
        using var sandbox = new SignedSandbox();
        await SignedRegistryRefusalTests.AppliedAsync(sandbox);
        var before = sandbox.ProtectedFiles();
        File.Delete(sandbox.Box.RegistryPath);

        sandbox.Box.Restart();
        var result = await sandbox.Box.SyncAsync();

        Assert.Equal(SyncOutcome.RegistryUnusable, result.Outcome);
        Assert.Equal(2, result.Serial);
        Assert.Equal("unreachable", result.RegistryProblem?.Code);
        Assert.Equal(before, sandbox.ProtectedFiles());
        Assert.DoesNotContain(sandbox.Box.AuditRecords(), r => (string?)r["reason"] == SyncEngine.LastKnownGoodUnverified);
    }

    [Theory]
    [InlineData("key added to snapshot.json")]
    [InlineData("signature removed")]
    [InlineData("snapshot and signature of another host")]
    public async Task A_state_directory_edited_offline_smuggles_nothing_in(string edit)
    {
        using var sandbox = new SignedSandbox();
        await SignedRegistryRefusalTests.AppliedAsync(sandbox);
        string stateDir = sandbox.Box.Settings.State.Directory;
        string snapshotPath = Path.Combine(stateDir, "snapshot.json");
        string signaturePath = snapshotPath + ".sig";
        switch (edit)
        {
            case "key added to snapshot.json":
                File.WriteAllText(snapshotPath, File.ReadAllText(snapshotPath).Replace("\"ops\":{\"keys\":[", $"\"ops\":{{\"keys\":[{{\"key\":\"{Intruder}\"}},", StringComparison.Ordinal));
                Assert.Contains("intruder", File.ReadAllText(snapshotPath), StringComparison.Ordinal);
                break;
            case "signature removed":
                File.Delete(signaturePath);
                break;
            default:
                string other = Doc(2, d => d["audience"] = new System.Text.Json.Nodes.JsonArray("db-*"));
                File.WriteAllText(snapshotPath, other);
                File.WriteAllBytes(signaturePath, Release.Sign(other));
                break;
        }
        var before = sandbox.ProtectedFiles();
        File.Delete(sandbox.Box.RegistryPath);

        sandbox.Box.Restart();
        var result = await sandbox.Box.SyncAsync();

        Assert.Equal(SyncOutcome.RegistryUnusable, result.Outcome);
        Assert.Null(result.Serial);
        Assert.Contains("no last-known-good", SyncSummary.Render(result), StringComparison.Ordinal);
        Assert.Equal(before, sandbox.ProtectedFiles());
        var refused = sandbox.Box.AuditRecords().Last(r => (string?)r["action"] == "snapshot-refused" && (string?)r["reason"] == SyncEngine.LastKnownGoodUnverified);
        Assert.Contains("failed re-verification", (string?)refused["message"], StringComparison.Ordinal);
        Assert.Equal(1, sandbox.Box.State.LoadStatus().RegistryErrors[SyncEngine.LastKnownGoodUnverified]);
        Assert.Contains("keyagentd_snapshot_signature_valid 0\n", sandbox.Metrics, StringComparison.Ordinal);

        // The registry back: the signed snapshot is fetched unconditionally and replaces the edited copy.
        sandbox.PublishSigned(Doc(3), Release);
        var back = await sandbox.Box.SyncAsync();
        Assert.True(back.Outcome == SyncOutcome.Ok, SyncSummary.Render(back));
        Assert.DoesNotContain("intruder", File.ReadAllText(sandbox.Box.KeysPath("ops")), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("snapshot.json")]
    [InlineData("snapshot.json.sig")]
    public async Task A_FIFO_in_place_of_the_last_known_good_neither_hangs_a_cycle_nor_lets_anything_in(string name)
    {
        using var sandbox = new SignedSandbox();
        await SignedRegistryRefusalTests.AppliedAsync(sandbox);
        var before = sandbox.ProtectedFiles();
        string path = Path.Combine(sandbox.Box.Settings.State.Directory, name);
        Fifo.Make(path);
        sandbox.Box.Restart();
        sandbox.Publish(Doc(3, d => d["accounts"]!["ops"]!["keys"]!.AsArray().Add(EngineSandbox.Key(Intruder, "intruder@example.com"))), null);

        var result = await Fifo.WithoutHangingOn(path, () => sandbox.Box.SyncAsync());

        Assert.Equal("signature-missing", result.RegistryProblem?.Code);
        Assert.Equal(before, sandbox.ProtectedFiles());

        // The genuine next snapshot replaces the FIFO with a regular file.
        sandbox.PublishSigned(Doc(3), Release);
        var next = await Fifo.WithoutHangingOn(path, () => sandbox.Box.SyncAsync());
        Assert.True(next.Outcome == SyncOutcome.Ok, SyncSummary.Render(next));
        Assert.True(File.Exists(path), $"{name} is a regular file again");
    }

    [Fact]
    public async Task Revoking_the_signer_of_the_last_known_good_under_a_running_engine_stops_it_being_used_as_a_restart_would()
    {
        using var sandbox = new SignedSandbox();
        await SignedRegistryRefusalTests.AppliedAsync(sandbox);
        File.Delete(sandbox.Box.RegistryPath);
        Assert.Equal(2, (await sandbox.Box.SyncAsync()).Serial);

        // The release key leaked: the operator revokes it. The next poll, not the next restart, must stop trusting what it signed.
        File.AppendAllText(sandbox.RevokedSignersPath, Release.KeyText + "\n");
        var result = await sandbox.Box.SyncAsync();

        Assert.True(result.Serial is null, SyncSummary.Render(result));
        Assert.Contains(sandbox.Box.AuditRecords(), r => (string?)r["reason"] == SyncEngine.LastKnownGoodUnverified);
    }

    [Fact]
    public async Task An_edit_of_snapshot_json_under_a_running_engine_applies_nothing()
    {
        using var sandbox = new SignedSandbox();
        await SignedRegistryRefusalTests.AppliedAsync(sandbox);
        // A second cycle of the same engine: the last-known-good is now read back (and remembered) by this process.
        Assert.Equal(SyncOutcome.Ok, (await sandbox.Box.SyncAsync()).Outcome);
        string snapshotPath = Path.Combine(sandbox.Box.Settings.State.Directory, "snapshot.json");
        File.WriteAllText(snapshotPath, File.ReadAllText(snapshotPath).Replace("\"ops\":{\"keys\":[", $"\"ops\":{{\"keys\":[{{\"key\":\"{Intruder}\"}},", StringComparison.Ordinal));
        Assert.Contains("intruder", File.ReadAllText(snapshotPath), StringComparison.Ordinal);
        File.Delete(sandbox.Box.RegistryPath);

        // No restart: the same engine, its next cycles.
        var result = await sandbox.Box.SyncAsync();
        var again = await sandbox.Box.SyncAsync();

        Assert.Equal(SyncOutcome.RegistryUnusable, result.Outcome);
        Assert.Null(result.Serial);
        Assert.Null(again.Serial);
        Assert.DoesNotContain("intruder", File.ReadAllText(sandbox.Box.KeysPath("ops")), StringComparison.Ordinal);
        Assert.Contains(sandbox.Box.AuditRecords(), r => (string?)r["reason"] == SyncEngine.LastKnownGoodUnverified);
    }
}
