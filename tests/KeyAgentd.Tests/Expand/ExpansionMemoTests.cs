using System.Text;
using System.Text.Json.Nodes;
using KeyAgentd.Core.Policy;
using KeyAgentd.Core.Snapshot;
using KeyAgentd.Expand;
using KeyAgentd.Tests.Sync;

namespace KeyAgentd.Tests.Expand;

/// <summary>The daemon's no-change cycle reuses the expansion only while nothing that could change it has changed.</summary>
public class ExpansionMemoTests
{
    private static readonly DateTimeOffset Now = EngineSandbox.Issued.AddMinutes(5);
    private static readonly KeyPolicy Policy = new(null, TimeZoneInfo.Utc);
    private static readonly string Alice = SshKeygen.Generate("ed25519", comment: "alice");
    private static readonly string Bob = SshKeygen.Generate("ed25519", comment: "bob", cached: false);

    private static (byte[] Bytes, RegistrySnapshot Snapshot) Parse(long serial, DateTimeOffset? bobNotAfter = null)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(EngineSandbox.Registry(serial, new()
        {
            ["app"] = [(JsonNode)EngineSandbox.Key(Alice, "alice"), EngineSandbox.Key(Bob, "bob", bobNotAfter)],
        }));
        Assert.True(RegistrySnapshotParser.TryParse(bytes, out var snapshot, out var error), error?.Message);
        return (bytes, snapshot);
    }

    [Fact]
    public void The_same_bytes_give_back_the_remembered_snapshot_and_expansion()
    {
        var memo = new ExpansionMemo();
        var (bytes, snapshot) = Parse(1);
        memo.RememberSnapshot(bytes, snapshot);
        var first = memo.Expand(snapshot, Policy, Now);

        Assert.True(memo.TryGetSnapshot([.. bytes], out var again));
        Assert.Same(snapshot, again);
        Assert.Same(first, memo.Expand(again!, Policy, Now.AddMinutes(1)));
        // The snapshot reads its keys from the bytes it was parsed from: those stay the remembered ones.
        Assert.Same(bytes, memo.Content);
    }

    [Fact]
    public void Only_a_new_expansion_is_reported_as_replacing_the_last()
    {
        var memo = new ExpansionMemo();
        var (bytes, snapshot) = Parse(1);
        memo.RememberSnapshot(bytes, snapshot);

        memo.Expand(snapshot, Policy, Now);
        Assert.True(memo.TakeReplaced());
        memo.Expand(snapshot, Policy, Now.AddMinutes(1));
        Assert.False(memo.TakeReplaced());
    }

    [Fact]
    public void Other_bytes_are_never_served_the_remembered_snapshot()
    {
        var memo = new ExpansionMemo();
        var (bytes, snapshot) = Parse(1);
        memo.RememberSnapshot(bytes, snapshot);

        Assert.False(memo.TryGetSnapshot(Parse(2).Bytes, out var other));
        Assert.Null(other);
    }

    [Fact]
    public void A_snapshot_it_does_not_remember_is_expanded_afresh_every_time()
    {
        var memo = new ExpansionMemo();
        var (_, snapshot) = Parse(1);

        Assert.NotSame(memo.Expand(snapshot, Policy, Now), memo.Expand(snapshot, Policy, Now));
    }

    [Fact]
    public void Crossing_a_keys_not_after_expands_again_and_drops_the_key()
    {
        var memo = new ExpansionMemo();
        var notAfter = Now.AddMinutes(10);
        var (bytes, snapshot) = Parse(1, bobNotAfter: notAfter);
        memo.RememberSnapshot(bytes, snapshot);

        var before = memo.Expand(snapshot, Policy, Now);
        Assert.Same(before, memo.Expand(snapshot, Policy, notAfter.AddSeconds(-1)));
        var after = memo.Expand(snapshot, Policy, notAfter);

        Assert.NotSame(before, after);
        Assert.Equal(2, before.Accounts["app"].Count);
        Assert.Single(after.Accounts["app"]);
        Assert.Contains(after.Rejections, r => r.Verdict.Reason == ReasonCode.Expired);
    }

    [Fact]
    public void Remembering_new_content_forgets_the_old_expansion()
    {
        var memo = new ExpansionMemo();
        var (bytes1, snapshot1) = Parse(1);
        memo.RememberSnapshot(bytes1, snapshot1);
        var first = memo.Expand(snapshot1, Policy, Now);
        var (bytes2, snapshot2) = Parse(2);
        memo.RememberSnapshot(bytes2, snapshot2);

        Assert.False(memo.TryGetSnapshot(bytes1, out _));
        Assert.NotSame(first, memo.Expand(snapshot2, Policy, Now));
    }
}
