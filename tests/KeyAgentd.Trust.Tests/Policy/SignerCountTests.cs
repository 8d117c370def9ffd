using System.Text;
using KeyAgentd.Trust.AllowedSigners;
using KeyAgentd.Trust.Policy;
using KeyAgentd.Trust.Revocation;
using KeyAgentd.Trust.Tests.Support;

namespace KeyAgentd.Trust.Tests.Policy;

/// <summary>
/// Registry:SignatureThreshold counts people, not keys: a signature speaks for the principals of the
/// allowed_signers line that admitted it, and the count is the largest number of valid signatures no
/// two of which share a principal. Every signature here is made by ssh-keygen -Y sign.
/// </summary>
public class SignerCountTests
{
    private static readonly byte[] Snapshot = Encoding.UTF8.GetBytes("{\"serial\": 40}\n");
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private static SignerKey A => SignerKey.Get("ed25519", name: "count-a");

    private static SignerKey B => SignerKey.Get("ed25519", name: "count-b");

    private static SignerKey C => SignerKey.Get("ecdsa", 256, "count-c");

    private static SignatureDecision Decide(string allowed, int threshold, params SignerKey[] signers) =>
        SignaturePolicy.Evaluate(Snapshot, SigFile.Concat([.. signers.Select(s => OpenSsh.Sign(s, Snapshot))]),
            AllowedSignersFile.Parse(allowed, TimeZoneInfo.Utc), RevokedSigners.None, new SignaturePolicyOptions { Threshold = threshold }, Now);

    [Fact]
    public void One_person_with_two_keys_is_one_signer()
    {
        string allowed = $"alice@example.com {A.KeyText}\nalice@example.com {B.KeyText}\n";

        var decision = Decide(allowed, 2, A, B);

        Assert.Equal(TrustReason.ThresholdNotMet, decision.Reason);
        Assert.Equal(1, decision.DistinctValidSigners);
        Assert.All(decision.Signatures, s => Assert.True(s.IsValid));
        Assert.Equal([true, false], decision.Signatures.Select(s => s.CountsTowardThreshold));
        Assert.Contains("alice@example.com", decision.Signatures[1].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_byte_order_mark_at_the_start_of_the_file_does_not_make_one_person_two()
    {
        // An editor that saves UTF-8 "with BOM" puts U+FEFF before the first principal: still alice.
        string allowed = $"\uFEFFalice@example.com {A.KeyText}\nalice@example.com {B.KeyText}\n";

        var decision = Decide(allowed, 2, A, B);

        Assert.Equal(TrustReason.ThresholdNotMet, decision.Reason);
        Assert.Equal(1, decision.DistinctValidSigners);
        Assert.Equal("alice@example.com", decision.Signatures[0].Principals);
    }

    [Fact]
    public void Two_keys_whose_lines_share_a_principal_count_once()
    {
        string allowed = $"alice@example.com,release {A.KeyText}\nbob@example.com,release {B.KeyText}\n";

        var decision = Decide(allowed, 2, A, B);

        Assert.Equal(TrustReason.ThresholdNotMet, decision.Reason);
        Assert.Equal(1, decision.DistinctValidSigners);
    }

    [Fact]
    public void Three_distinct_people_meet_thresholds_two_and_three()
    {
        string allowed = $"alice@example.com {A.KeyText}\nbob@example.com {B.KeyText}\ncarol@example.com {C.KeyText}\n";

        Assert.True(Decide(allowed, 2, A, B).IsAccepted);
        var three = Decide(allowed, 3, A, B, C);
        Assert.True(three.IsAccepted);
        Assert.Equal(3, three.DistinctValidSigners);
        Assert.Equal(["alice@example.com", "bob@example.com", "carol@example.com"], three.SignerPrincipals);
    }

    [Fact]
    public void The_count_is_the_largest_set_of_signatures_with_pairwise_disjoint_principals()
    {
        // A and B share "release"; C shares nothing: {A, C} (or {B, C}) is the largest disjoint set.
        string allowed = $"alice@example.com,release {A.KeyText}\nbob@example.com,release {B.KeyText}\ncarol@example.com {C.KeyText}\n";

        var two = Decide(allowed, 2, A, B, C);
        Assert.True(two.IsAccepted);
        Assert.Equal(2, two.DistinctValidSigners);
        Assert.Equal(TrustReason.ThresholdNotMet, Decide(allowed, 3, A, B, C).Reason);
    }

    [Fact]
    public void A_wildcard_principal_cannot_be_told_apart_from_anyone()
    {
        string allowed = $"*@example.com {A.KeyText}\nbob@example.com {B.KeyText}\n";

        var decision = Decide(allowed, 2, A, B);

        Assert.Equal(TrustReason.ThresholdNotMet, decision.Reason);
        Assert.Equal(1, decision.DistinctValidSigners);
    }
}
