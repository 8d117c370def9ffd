using KeyAgentd.Tests.Support;
using KeyAgentd.Trust.Root;
using KeyAgentd.Trust.Tests.Support;

namespace KeyAgentd.Tests.Verify;

/// <summary>
/// A refused snapshot is asked for again with its own ETag: an unchanged refused document costs a 304 (counted in
/// nginx's access log), and the kept bytes are judged again in full at every poll, so a refusal that becomes
/// acceptable (its second signature arrives, a new root trusts its signer) is applied without a new download.
/// The real `keyagentd run` daemon (the refused bytes are kept in its memory only), one SIGHUP per poll.
/// </summary>
[Trait("Category", "Integration")]
public sealed class RefusedSnapshotPollTests
{
    private static readonly SignerKey Alice = RootDocuments.Key("poll-alice");
    private static readonly SignerKey Bob = RootDocuments.Key("poll-bob");
    private static readonly SignerKey CiA = RootDocuments.Key("poll-ci-a");
    private static readonly SignerKey CiB = RootDocuments.Key("poll-ci-b");
    private static readonly SignerKey CiNew = RootDocuments.Key("poll-ci-new");
    private static readonly (string, SignerKey)[] AliceBob = [("alice", Alice), ("bob", Bob)];

    private static readonly string KeyOne = SshKeygen.Generate("ed25519", comment: "poll-one");
    private static readonly string KeyTwo = SshKeygen.Generate("ed25519", comment: "poll-two");

    [NginxFact]
    public void A_refused_snapshot_costs_a_304_at_the_next_poll_and_is_applied_once_its_second_signature_arrives()
    {
        var root = RootDocuments.Document(1, AliceBob, 2, [("ci-a", CiA), ("ci-b", CiB)], snapshotThreshold: 2, expires: DateTimeOffset.UtcNow.AddDays(365));
        using var host = new RootedHost(root, Alice, Bob);
        host.PublishSnapshot(1, KeyOne, CiA, CiB);
        using var daemon = host.StartDaemon();
        Assert.Contains("poll-one", host.KeysFile, StringComparison.Ordinal);

        host.PublishSnapshot(2, KeyTwo, CiA);
        host.Poll(daemon);
        host.Poll(daemon);
        Assert.DoesNotContain("poll-two", host.KeysFile, StringComparison.Ordinal);
        Assert.Equal(["200", "200", "304"], host.SnapshotStatuses());
        // Judged again, not remembered as refused: refused again for the same reason.
        var refusals = host.Audit("snapshot-refused").Select(r => (string?)r["reason"]).ToList();
        Assert.Equal(2, refusals.Count);
        Assert.Equal(refusals[0], refusals[1]);

        host.ResignServedSnapshot(CiA, CiB);
        host.Poll(daemon);
        Assert.Equal(["200", "200", "304", "304"], host.SnapshotStatuses());
        Assert.Contains("poll-two", host.KeysFile, StringComparison.Ordinal);
        Assert.Equal(2, (long)host.StatusJson()["snapshot_serial"]!);

        // Applied: the next poll asks with its ETag as the last-known-good, and changes nothing.
        host.Poll(daemon);
        Assert.Equal("304", host.SnapshotStatuses().Last());
    }

    [NginxFact]
    public void A_snapshot_the_removal_guard_stopped_costs_a_304_at_the_next_poll_and_is_judged_again_guard_included()
    {
        var root = RootDocuments.Document(1, AliceBob, 2, [("ci", CiA)], expires: DateTimeOffset.UtcNow.AddDays(365));
        using var host = new RootedHost(root, Alice, Bob);
        host.WriteConfig(host.InstalledRootPath, safety: "\"MaxRemovalPercent\": 0, \"MinRemovedKeys\": 1");
        host.PublishSnapshot(1, KeyOne, CiA);
        using var daemon = host.StartDaemon();
        Assert.Contains("poll-one", host.KeysFile, StringComparison.Ordinal);

        host.PublishSnapshot(2, KeyTwo, CiA);
        host.Poll(daemon);
        host.Poll(daemon);

        Assert.Contains("poll-one", host.KeysFile, StringComparison.Ordinal);
        Assert.Equal(["200", "200", "304"], host.SnapshotStatuses());
        Assert.Equal(2, host.Audit("guard-tripped").Count);
    }

    [NginxFact]
    public void A_snapshot_refused_for_an_unknown_signer_is_applied_from_the_kept_bytes_when_the_next_root_names_that_signer()
    {
        var root = RootDocuments.Document(1, AliceBob, 2, [("ci", CiA)], expires: DateTimeOffset.UtcNow.AddDays(365));
        using var host = new RootedHost(root, Alice, Bob);
        host.PublishSnapshot(1, KeyOne, CiA);
        using var daemon = host.StartDaemon();

        host.PublishSnapshot(2, KeyTwo, CiNew);
        host.Poll(daemon);
        Assert.Equal("signer-unknown", (string?)host.Audit("snapshot-refused").Last()["reason"]);
        host.PublishRoot(RootDocuments.Document(2, AliceBob, 2, [("ci", CiNew)], expires: DateTimeOffset.UtcNow.AddDays(365)), Alice, Bob);
        host.Poll(daemon);

        Assert.Equal(2, host.RootVersion);
        Assert.Contains("poll-two", host.KeysFile, StringComparison.Ordinal);
        Assert.Equal(["200", "200", "304"], host.SnapshotStatuses());
    }
}
