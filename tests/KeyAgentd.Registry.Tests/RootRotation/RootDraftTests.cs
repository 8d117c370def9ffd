using KeyAgentd.RootRotation;
using KeyAgentd.Trust.Root;

namespace KeyAgentd.Tests.RootRotation;

/// <summary>The registry side never produces a root its own root keys could not live with, and a proposal changes exactly what it names.</summary>
public sealed class RootDraftTests : IDisposable
{
    private readonly RootWorkspace _work = new();

    private static DateTimeOffset Now => RootWorkspace.Now;

    private RootKey Root(string holder) => new(holder, _work.PublicKey(holder), null);

    private SnapshotSigner Signer(string holder) => new(holder, _work.PublicKey(holder), null, null, null);

    private TrustRootDocument First() => RootDraft.First([Root("alice"), Root("bob")], 2, [Signer("ci")], 1, Now.AddDays(365), Now);

    [Fact]
    public void A_first_root_is_version_1_with_what_it_was_given()
    {
        var root = First();

        Assert.Equal(1, root.Version);
        Assert.Equal(["alice", "bob"], root.RootKeys.Select(k => k.Principal));
        Assert.Equal(Now.AddDays(365), root.ExpiresAt);
        Assert.Empty(TrustRootRules.CheckPublishable(root, Now));
    }

    [Fact]
    public void A_threshold_above_the_keys_is_refused()
    {
        var e = Assert.Throws<RootRefusedException>(() => RootDraft.First([Root("alice"), Root("bob")], 3, [Signer("ci")], 1, Now.AddDays(365), Now));

        Assert.Equal("root-rules-broken", e.Code);
        Assert.Contains("root.threshold is 3 but root.keys name 2 distinct principal(s)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_snapshot_threshold_above_the_signers_is_refused()
    {
        var e = Assert.Throws<RootRefusedException>(() => RootDraft.First([Root("alice")], 1, [Signer("ci")], 2, Now.AddDays(365), Now));

        Assert.Equal(RootRefusal.RulesBroken, e.Refusal);
        Assert.Contains("snapshot.threshold is 2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void No_expiry_is_refused()
    {
        var e = Assert.Throws<RootRefusedException>(() => RootDraft.First([Root("alice")], 1, [Signer("ci")], 1, null, Now));

        Assert.Equal("root-no-expiry", e.Code);
    }

    [Theory]
    [InlineData(731)]
    [InlineData(0)]
    [InlineData(-1)]
    public void An_expiry_past_the_maximum_or_not_in_the_future_is_refused(int days)
    {
        var e = Assert.Throws<RootRefusedException>(() => RootDraft.First([Root("alice")], 1, [Signer("ci")], 1, Now.AddDays(days), Now));

        Assert.Equal(RootRefusal.RulesBroken, e.Refusal);
        Assert.Contains("expires_at", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_maximum_lifetime_itself_is_allowed()
    {
        Assert.Equal(1, RootDraft.First([Root("alice")], 1, [Signer("ci")], 1, Now + TrustRootRules.MaxLifetime, Now).Version);
    }

    [Fact]
    public void Next_rotates_a_leaked_ci_key_and_keeps_the_rest()
    {
        var first = First();
        var next = RootDraft.Next(first, new RootChanges { RemoveSnapshotSigners = ["ci"], AddSnapshotSigners = [Signer("ci2")] }, Now);

        Assert.Equal(2, next.Version);
        Assert.Equal([_work.PublicKey("ci2")], next.SnapshotSigners.Select(s => s.Key));
        Assert.Equal(first.RootKeys, next.RootKeys);
        Assert.Equal((first.RootThreshold, first.ExpiresAt), (next.RootThreshold, next.ExpiresAt));
        var changes = RootDifference.Between(first, next);
        Assert.Equal([RootChangeKind.SnapshotSignerRemoved, RootChangeKind.SnapshotSignerAdded], changes.Select(c => c.Kind));
        Assert.Equal([_work.Fingerprint("ci"), _work.Fingerprint("ci2")], changes.Select(c => c.Fingerprint));
    }

    [Fact]
    public void A_root_key_is_removed_by_fingerprint_and_replaced()
    {
        var next = RootDraft.Next(First(), new RootChanges { RemoveRootKeys = [_work.Fingerprint("bob")], AddRootKeys = [Root("carol")] }, Now);

        Assert.Equal(["alice", "carol"], next.RootKeys.Select(k => k.Principal));
        Assert.Equal(2, next.RootThreshold);
    }

    [Fact]
    public void Raising_a_threshold_past_the_keys_is_refused()
    {
        var e = Assert.Throws<RootRefusedException>(() => RootDraft.Next(First(), new RootChanges { RemoveRootKeys = ["bob"] }, Now));

        Assert.Equal(RootRefusal.RulesBroken, e.Refusal);
        Assert.Contains("version 2 would break the root's rules", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Revoking_the_only_snapshot_signer_is_refused()
    {
        var e = Assert.Throws<RootRefusedException>(() => RootDraft.Next(First(), new RootChanges { RevokeSigners = [_work.Fingerprint("ci")] }, Now));

        Assert.Equal(RootRefusal.RulesBroken, e.Refusal);
        Assert.Contains("not counting revoked_signers", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("remove-absent")]
    [InlineData("add-present")]
    [InlineData("nothing")]
    [InlineData("bad-fingerprint")]
    public void A_change_that_names_nothing_or_changes_nothing_is_refused(string what)
    {
        var changes = what switch
        {
            "remove-absent" => new RootChanges { RemoveRootKeys = ["mallory"] },
            "add-present" => new RootChanges { AddRootKeys = [new RootKey("alice2", _work.PublicKey("alice"), null)] },
            "nothing" => new RootChanges { RootThreshold = 2 },
            _ => new RootChanges { RevokeSigners = ["SHA256:nope"] },
        };

        var e = Assert.Throws<RootRefusedException>(() => RootDraft.Next(First(), changes, Now));

        Assert.Equal("root-change-invalid", e.Code);
    }

    [Fact]
    public void Extending_the_expiry_is_a_change_of_its_own()
    {
        var first = First();
        var next = RootDraft.Next(first, new RootChanges { ExpiresAt = Now.AddDays(700) }, Now);

        var change = Assert.Single(RootDifference.Between(first, next));
        Assert.Equal((RootChangeKind.Expiry, "2027-06-01T00:00:00Z", "2028-05-01T00:00:00Z"), (change.Kind, change.Before, change.After));
    }

    public void Dispose() => _work.Dispose();
}
