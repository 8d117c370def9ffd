using KeyAgentd.Audit;
using KeyAgentd.Sync;

namespace KeyAgentd.Tests.Sync;

/// <summary>
/// A cycle states its changes before making them, so one stopped before it records them still leaves
/// them in the log, and an audit log that cannot be written never holds back a revocation.
/// </summary>
public sealed class AuditIntentTests
{
    private static readonly string[] Accounts = ["alice"];
    private static readonly string AliceKey = SshKeygen.Generate("ed25519", comment: "alice-a");
    private static readonly string AliceKey2 = SshKeygen.Generate("ed25519", comment: "alice-b", cached: false);

    private static string Registry(long serial, params string[] keys) => EngineSandbox.Registry(serial, new()
    {
        ["alice"] = [.. keys.Select(k => EngineSandbox.Key(k, "alice@example.com"))],
    });

    [Fact]
    public async Task A_revocation_goes_out_with_the_audit_unwritable_and_the_next_cycle_records_it_unconfirmed()
    {
        using var box = new EngineSandbox(Accounts, configure: s => s.Audit.Path = Path.Combine(s.State.Directory, "..", "log", "audit.jsonl"));
        string logDirectory = Path.GetDirectoryName(Path.GetFullPath(box.Settings.Audit.Path))!;
        box.WriteRegistry(Registry(1, AliceKey, AliceKey2));
        Assert.Equal(SyncOutcome.Ok, (await box.SyncAsync()).Outcome);
        // The log's directory turns into a file: neither the settle nor the append can open the log.
        Directory.Delete(logDirectory, recursive: true);
        File.WriteAllText(logDirectory, "");

        box.WriteRegistry(Registry(2, AliceKey));
        var error = await Assert.ThrowsAnyAsync<IOException>(() => box.SyncAsync());

        Assert.Contains(Path.GetFullPath(box.Settings.Audit.Path), error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("alice-b", File.ReadAllText(box.KeysPath("alice")), StringComparison.Ordinal);
        string intent = Path.Combine(box.Settings.State.Directory, AuditIntent.FileName);
        Assert.Contains("\"action\":\"key-removed\"", File.ReadAllText(intent), StringComparison.Ordinal);

        File.Delete(logDirectory);
        box.Restart();
        var next = await box.SyncAsync();

        Assert.Equal(SyncOutcome.Ok, next.Outcome);
        var records = box.AuditRecords();
        Assert.Contains(records, r => (string?)r["action"] == "audit-resumed" && (string?)r["reason"] == "unconfirmed-changes");
        var removed = Assert.Single(records, r => (string?)r["action"] == "key-removed");
        Assert.StartsWith("unconfirmed:", (string?)removed["message"], StringComparison.Ordinal);
        Assert.Contains("alice-b", (string?)removed["line"], StringComparison.Ordinal);
        Assert.False(File.Exists(intent));
        var verdict = AuditVerifier.Verify(box.Settings.Audit.Path, box.State.AuditHeadPath);
        Assert.True(verdict.Ok, verdict.Message);
    }

    [Fact]
    public async Task A_cycle_that_records_its_outcome_leaves_no_intent_and_no_unconfirmed_record()
    {
        using var box = new EngineSandbox(Accounts);
        box.WriteRegistry(Registry(1, AliceKey, AliceKey2));
        await box.SyncAsync();
        box.WriteRegistry(Registry(2, AliceKey));

        await box.SyncAsync();
        await box.SyncAsync();

        Assert.False(File.Exists(Path.Combine(box.Settings.State.Directory, AuditIntent.FileName)));
        var records = box.AuditRecords();
        Assert.DoesNotContain(records, r => (string?)r["action"] == "audit-resumed");
        Assert.Single(records, r => (string?)r["action"] == "key-removed");
        Assert.Equal(2, records.Count(r => (string?)r["action"] == "key-added"));
    }
}
