using System.Text.Json.Nodes;
using KeyAgentd.Sync;

namespace KeyAgentd.Tests.Sync;

/// <summary>
/// A keyagentd-keys cache that cannot be written (something in its place, a full disk) fails that
/// account with cache-write-failed, never the whole cycle: every other account, the status, the audit
/// log and the metrics are still written, and what the audit says changed is what did change.
/// </summary>
public class CacheWriteFailureTests
{
    private static readonly string Alice = SshKeygen.Generate("ed25519", comment: "alice");
    private static readonly string Bob = SshKeygen.Generate("ed25519", comment: "bob", cached: false);

    private static string Doc(long serial, string[] deploy, string[] ops) => EngineSandbox.Registry(serial, new()
    {
        ["deploy"] = [.. deploy.Select(k => (JsonNode)EngineSandbox.Key(k, "someone"))],
        ["ops"] = [.. ops.Select(k => (JsonNode)EngineSandbox.Key(k, "someone"))],
    });

    private static void BlockCache(EngineSandbox box, string account)
    {
        File.Delete(box.CachePath(account));
        Directory.CreateDirectory(box.CachePath(account));
        File.WriteAllText(Path.Combine(box.CachePath(account), "in-the-way"), "");
    }

    [Fact]
    public async Task With_authorized_keys_the_file_still_changes_and_only_the_cache_is_reported()
    {
        using var box = new EngineSandbox(["deploy", "ops"]);
        box.WriteRegistry(Doc(1, [Alice, Bob], [Alice]));
        Assert.Equal(SyncOutcome.Ok, (await box.SyncAsync()).Outcome);
        BlockCache(box, "deploy");

        box.WriteRegistry(Doc(2, [Alice], [Alice, Bob]));
        var result = await box.SyncAsync();

        Assert.True(result.Outcome == SyncOutcome.Partial, SyncSummary.Render(result));
        var failure = Assert.Single(result.Failures);
        Assert.Equal(("deploy", AccountFailure.CacheWriteFailed), (failure.Account, failure.Code));
        Assert.Contains("EISDIR", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Bob, File.ReadAllText(box.KeysPath("deploy")), StringComparison.Ordinal);
        Assert.Contains(Bob, File.ReadAllText(box.KeysPath("ops")), StringComparison.Ordinal);
        Assert.Contains(Bob, File.ReadAllText(box.CachePath("ops")), StringComparison.Ordinal);
        var records = box.AuditRecords();
        Assert.Contains(records, r => (string?)r["action"] == "key-removed" && (string?)r["account"] == "deploy");
        Assert.Contains(records, r => (string?)r["action"] == "account-refused" && (string?)r["account"] == "deploy" && (string?)r["reason"] == "cache-write-failed");
        Assert.Equal("cache-write-failed", box.State.LoadStatus().AccountFailures["deploy"].Code);
        Assert.Contains("keyagentd_accounts_cache_unwritten 1\n", File.ReadAllText(box.Settings.Metrics.TextfilePath!), StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_helper_only_delivery_the_account_fails_and_no_change_is_claimed()
    {
        using var box = new EngineSandbox(["deploy", "ops"], configure: s => s.Delivery.AuthorizedKeysFiles = false);
        box.WriteRegistry(Doc(1, [Alice, Bob], [Alice]));
        Assert.Equal(SyncOutcome.Ok, (await box.SyncAsync()).Outcome);
        BlockCache(box, "deploy");

        box.WriteRegistry(Doc(2, [Alice], [Alice, Bob]));
        var result = await box.SyncAsync();

        Assert.True(result.Outcome == SyncOutcome.Partial, SyncSummary.Render(result));
        Assert.Equal(AccountFailure.CacheWriteFailed, Assert.Single(result.Failures).Code);
        Assert.Contains(Bob, File.ReadAllText(box.CachePath("ops")), StringComparison.Ordinal);
        var records = box.AuditRecords();
        Assert.DoesNotContain(records, r => (string?)r["action"] == "key-removed" && (string?)r["account"] == "deploy");
        Assert.Contains(records, r => (string?)r["action"] == "key-added" && (string?)r["account"] == "ops");

        // Once the cache can be written again, the next cycle brings it in line.
        Directory.Delete(box.CachePath("deploy"), recursive: true);
        var next = await box.SyncAsync();
        Assert.True(next.Outcome == SyncOutcome.Ok, SyncSummary.Render(next));
        Assert.DoesNotContain(Bob, File.ReadAllText(box.CachePath("deploy")), StringComparison.Ordinal);
        Assert.Contains(Alice, File.ReadAllText(box.CachePath("deploy")), StringComparison.Ordinal);
    }
}
