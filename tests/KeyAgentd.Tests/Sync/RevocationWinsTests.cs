using System.Text.Json.Nodes;
using KeyAgentd.Audit;
using KeyAgentd.Core.AuthorizedKeys;
using KeyAgentd.Sync;

namespace KeyAgentd.Tests.Sync;

/// <summary>
/// "Revoke a person in one place and it is gone everywhere" on every size of host, with the default
/// guard limits: the guard still stops a snapshot that empties a host with many keys.
/// </summary>
public class RevocationWinsTests
{
    private static readonly string[] Pool = [.. Enumerable.Range(0, 15).Select(i => SshKeygen.Generate("ed25519", comment: $"person-{i}"))];

    private static string Fingerprint(string line) => AuthorizedKeyLineParser.Parse(line).Key!.Sha256Fingerprint;

    private static string Blob(string line) => line.Split(' ')[1];

    private static string Doc(long serial, IEnumerable<string> keys, Action<JsonObject>? edit = null) =>
        EngineSandbox.Registry(serial, new() { ["app"] = [.. keys.Select((k, i) => (JsonNode)EngineSandbox.Key(k, $"person-{i}"))] }, edit: edit);

    private static Action<JsonObject> Revoking(params string[] keys) => doc => doc["revoked"] = new JsonArray([.. keys.Select(k => (JsonNode)Fingerprint(k))]);

    private static async Task<EngineSandbox> HostWithAsync(int keys)
    {
        var box = new EngineSandbox(["app"]);
        box.WriteRegistry(Doc(1, Pool.Take(keys)));
        Assert.Equal(SyncOutcome.Ok, (await box.SyncAsync()).Outcome);
        return box;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task A_small_host_loses_a_revoked_key_at_the_next_sync(int keys)
    {
        using var box = await HostWithAsync(keys);

        box.WriteRegistry(Doc(2, Pool.Take(keys), Revoking(Pool[0])));
        var result = await box.SyncAsync();

        Assert.Equal(SyncOutcome.Ok, result.Outcome);
        Assert.DoesNotContain(Blob(Pool[0]), File.ReadAllText(box.KeysPath("app")));
        Assert.DoesNotContain(Blob(Pool[0]), File.ReadAllText(box.CachePath("app")));
        var removed = Assert.Single(box.AuditRecords(), r => (string?)r["action"] == AuditAction.KeyRemoved.ToCode());
        Assert.Equal("revoked", (string?)removed["reason"]);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task A_small_host_loses_a_removed_person_at_the_next_sync(int keys)
    {
        using var box = await HostWithAsync(keys);

        box.WriteRegistry(Doc(2, Pool.Skip(1).Take(keys - 1)));
        var result = await box.SyncAsync();

        Assert.Equal(SyncOutcome.Ok, result.Outcome);
        Assert.Equal(1, result.Counts.Removed);
        Assert.DoesNotContain(Blob(Pool[0]), File.ReadAllText(box.KeysPath("app")));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public async Task An_empty_or_truncated_snapshot_is_stopped_on_a_host_with_many_keys(int left)
    {
        using var box = await HostWithAsync(15);
        var before = box.SnapshotFiles(["app"]);
        byte[] cache = File.ReadAllBytes(box.CachePath("app"));

        box.WriteRegistry(left == 0 ? EngineSandbox.Registry(2, []) : Doc(2, Pool.Take(left)));
        var result = await box.SyncAsync();

        Assert.Equal(SyncOutcome.GuardTripped, result.Outcome);
        Assert.Equal(before["app"], File.ReadAllBytes(box.KeysPath("app")));
        Assert.Equal(cache, File.ReadAllBytes(box.CachePath("app")));
        Assert.Equal(1, box.State.LoadStatus().SnapshotSerial);
    }

    [Fact]
    public async Task Revoking_most_keys_of_a_large_host_is_never_held_back()
    {
        using var box = await HostWithAsync(15);

        box.WriteRegistry(Doc(2, Pool, Revoking([.. Pool.Take(12)])));
        var result = await box.SyncAsync();

        Assert.Equal(SyncOutcome.Ok, result.Outcome);
        Assert.Equal(12, result.Counts.Removed);
        Assert.Equal(12, result.Plan!.Guard.Withdrawn);
        Assert.Equal(3, File.ReadAllLines(box.KeysPath("app")).Count(l => l.StartsWith("ssh-", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_removal_approved_by_the_registry_for_this_serial_goes_through_and_is_audited()
    {
        using var box = await HostWithAsync(15);

        box.WriteRegistry(Doc(2, Pool.Take(2), doc => doc["removal_approval"] = new JsonObject
        {
            ["serial"] = 2,
            ["max_removed_keys"] = 13,
            ["reason"] = "app team moved to the new cluster (CHG-7)",
        }));
        var result = await box.SyncAsync();

        Assert.Equal(SyncOutcome.Ok, result.Outcome);
        Assert.Equal(13, result.Counts.Removed);
        var approved = Assert.Single(box.AuditRecords(), r => (string?)r["action"] == AuditAction.RemovalApproved.ToCode());
        Assert.Contains("CHG-7", (string?)approved["message"]);
    }

    [Fact]
    public async Task A_removal_approval_copied_into_a_later_serial_approves_nothing()
    {
        using var box = await HostWithAsync(15);

        box.WriteRegistry(Doc(3, Pool.Take(2), doc => doc["removal_approval"] = new JsonObject
        {
            ["serial"] = 2,
            ["max_removed_keys"] = 13,
            ["reason"] = "an earlier change",
        }));

        Assert.Equal(SyncOutcome.GuardTripped, (await box.SyncAsync()).Outcome);
    }
}
