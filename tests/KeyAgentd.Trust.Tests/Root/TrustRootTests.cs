using KeyAgentd.Trust.Policy;
using KeyAgentd.Trust.Root;
using KeyAgentd.Trust.Tests.Support;
using static KeyAgentd.Trust.Tests.Support.RootDocuments;

namespace KeyAgentd.Trust.Tests.Root;

/// <summary>The snapshot trust a root gives: its signers, its threshold or the host's if higher, its revocations.</summary>
public class TrustRootTests
{
    private static readonly byte[] Snapshot = "{\"serial\": 7}\n"u8.ToArray();
    private static readonly SignerKey Alice = Key("alice");
    private static readonly SignerKey Ci = Key("ci");
    private static readonly SignerKey Ci2 = Key("ci2");
    private static readonly SignerKey Release = Key("release", "ecdsa");

    [Fact]
    public void A_snapshot_signed_by_a_signer_of_the_root_is_accepted()
    {
        var root = Trusted(Document(1, [("alice", Alice)], 1, [("ci", Ci)]), Alice);

        var decision = root.SnapshotTrust(new SignaturePolicyOptions()).Verify(Snapshot, OpenSsh.Sign(Ci, Snapshot), Now);

        Assert.True(decision.IsAccepted, decision.Detail);
    }

    [Fact]
    public void A_signer_the_new_root_dropped_stops_counting_at_once()
    {
        var v2 = Trusted(Document(2, [("alice", Alice)], 1, [("ci2", Ci2)]), Alice);
        var trust = v2.SnapshotTrust(new SignaturePolicyOptions());

        Assert.Equal(TrustReason.SignerUnknown, trust.Verify(Snapshot, OpenSsh.Sign(Ci, Snapshot), Now).Reason);
        Assert.True(trust.Verify(Snapshot, OpenSsh.Sign(Ci2, Snapshot), Now).IsAccepted);
    }

    [Fact]
    public void A_revoked_signer_is_refused_even_while_still_listed()
    {
        var root = Trusted(Document(1, [("alice", Alice)], 1, [("ci", Ci), ("release", Release)], revoked: [Ci.Key.Sha256Fingerprint]), Alice);

        Assert.Equal(TrustReason.SignerRevoked, root.SnapshotTrust(new SignaturePolicyOptions()).Verify(Snapshot, OpenSsh.Sign(Ci, Snapshot), Now).Reason);
    }

    [Theory]
    [InlineData(1, 2, 2)]
    [InlineData(2, 1, 2)]
    [InlineData(1, 1, 1)]
    public void The_host_threshold_can_raise_the_roots_but_never_lower_it(int rootThreshold, int hostThreshold, int expected)
    {
        var root = Trusted(Document(1, [("alice", Alice)], 1, [("ci", Ci), ("release", Release)], rootThreshold), Alice);
        var trust = root.SnapshotTrust(new SignaturePolicyOptions { Threshold = hostThreshold });

        Assert.Equal(expected, trust.Options.Threshold);
        Assert.Equal(expected == 1, trust.Verify(Snapshot, OpenSsh.Sign(Ci, Snapshot), Now).IsAccepted);
        Assert.True(trust.Verify(Snapshot, SigFile.Concat(OpenSsh.Sign(Ci, Snapshot), OpenSsh.Sign(Release, Snapshot)), Now).IsAccepted);
    }

    [Fact]
    public void A_root_signature_never_passes_as_a_snapshot_signature()
    {
        // alice is a root holder and a snapshot signer; her root signature is in the root namespace only.
        var root = Trusted(Document(1, [("alice", Alice)], 1, [("alice", Alice)]), Alice);

        var decision = root.SnapshotTrust(new SignaturePolicyOptions()).Verify(Snapshot, OpenSsh.Sign(Alice, Snapshot, TrustRootDocument.Namespace), Now);

        Assert.Equal(TrustReason.NamespaceMismatch, decision.Reason);
    }
}
