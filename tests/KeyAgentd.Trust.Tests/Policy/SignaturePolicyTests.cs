using System.Text;
using KeyAgentd.Trust.AllowedSigners;
using KeyAgentd.Trust.Policy;
using KeyAgentd.Trust.Revocation;
using KeyAgentd.Trust.Tests.Support;

namespace KeyAgentd.Trust.Tests.Policy;

/// <summary>Every refusal reason, each case also put to ssh-keygen -Y verify where OpenSSH has an opinion.</summary>
public class SignaturePolicyTests
{
    private static readonly byte[] Snapshot = Encoding.UTF8.GetBytes("{\"serial\": 12, \"accounts\": {\"alice\": []}}\n");
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private static SignerKey Alice => SignerKey.Get("ed25519", name: "alice");

    private static SignerKey Bob => SignerKey.Get("ecdsa", 256, "bob");

    private static string AllowedLine(SignerKey key, string principals = "alice", string? options = null) =>
        options is null ? $"{principals} {key.KeyText}\n" : $"{principals} {options} {key.KeyText}\n";

    private static SignatureDecision Decide(byte[] snapshot, byte[] sigFile, string allowed, int threshold = 1,
        DateTimeOffset? at = null, RevokedSigners? revoked = null) =>
        SignaturePolicy.Evaluate(snapshot, sigFile, AllowedSignersFile.Parse(allowed, TimeZoneInfo.Utc),
            revoked ?? RevokedSigners.None, new SignaturePolicyOptions { Threshold = threshold }, at ?? Now);

    /// <summary>Our decision and ssh-keygen's must agree; returns ours for the reason check.</summary>
    private static SignatureDecision DecideAndAgree(byte[] snapshot, byte[] sigFile, string allowed, DateTimeOffset? at = null,
        RevokedSigners? revoked = null, string? revokedFile = null, string principal = "alice")
    {
        var decision = Decide(snapshot, sigFile, allowed, at: at, revoked: revoked);
        bool openssh = OpenSsh.Verify(allowed, principal, sigFile, snapshot, at ?? Now, revokedFile: revokedFile);
        Assert.Equal(openssh, decision.IsAccepted);
        return decision;
    }

    [Fact]
    public void Valid_signature_is_accepted_with_its_details()
    {
        var decision = DecideAndAgree(Snapshot, OpenSsh.Sign(Alice, Snapshot), AllowedLine(Alice));

        Assert.True(decision.IsAccepted);
        Assert.Equal("accepted", decision.ReasonCode);
        var verdict = Assert.Single(decision.Signatures);
        Assert.Equal("alice", verdict.Principals);
        Assert.Equal("ssh-ed25519", verdict.KeyType);
        Assert.Equal(Alice.Key.Sha256Fingerprint, verdict.Fingerprint);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Snapshot)), decision.SnapshotSha256);
        Assert.Equal(["alice"], decision.SignerPrincipals);
    }

    [Fact]
    public void Principal_patterns_match_as_in_openssh()
    {
        var decision = DecideAndAgree(Snapshot, OpenSsh.Sign(Alice, Snapshot), AllowedLine(Alice, "*@example.com,!root@*"), principal: "alice@example.com");

        Assert.True(decision.IsAccepted);
    }

    [Fact]
    public void No_signature_is_missing()
    {
        Assert.Equal(TrustReason.SignatureMissing, Decide(Snapshot, [], AllowedLine(Alice)).Reason);
        Assert.Equal(TrustReason.SignatureMissing, Decide(Snapshot, "\n"u8.ToArray(), AllowedLine(Alice)).Reason);
    }

    [Fact]
    public void Flipped_snapshot_byte_is_invalid()
    {
        byte[] altered = (byte[])Snapshot.Clone();
        altered[5] ^= 0x02;

        var decision = DecideAndAgree(altered, OpenSsh.Sign(Alice, Snapshot), AllowedLine(Alice));
        Assert.Equal(TrustReason.SignatureInvalid, decision.Reason);
    }

    [Fact]
    public void Flipped_signature_byte_is_invalid()
    {
        var fields = SigFile.Split(OpenSsh.Sign(Alice, Snapshot));
        byte[] signature = (byte[])fields.Signature.Clone();
        signature[^1] ^= 0x01;

        var decision = DecideAndAgree(Snapshot, (fields with { Signature = signature }).ToSigFile(), AllowedLine(Alice));
        Assert.Equal("signature-invalid", decision.ReasonCode);
    }

    [Theory]
    [InlineData("sha384")]
    [InlineData("version 2")]
    [InlineData("truncated armor")]
    public void Malformed_signature_is_refused_by_both(string mutation)
    {
        byte[] sigFile = OpenSsh.Sign(Alice, Snapshot);
        var fields = SigFile.Split(sigFile);
        byte[] mutated = mutation switch
        {
            "sha384" => (fields with { Hash = "sha384" }).ToSigFile(),
            "version 2" => (fields with { Version = 2 }).ToSigFile(),
            _ => sigFile[..(sigFile.Length - 40)],
        };

        var decision = DecideAndAgree(Snapshot, mutated, AllowedLine(Alice));
        Assert.Equal(TrustReason.SignatureMalformed, decision.Reason);
    }

    [Theory]
    [InlineData("version 0")]
    [InlineData("non-empty reserved")]
    public void Stricter_than_openssh_where_openssh_ignores_a_field(string mutation)
    {
        // sshsig_parse_preamble takes any version up to 1, and sshsig_wrap_verify reads the reserved
        // field and ignores it (the signed data always carries an empty one). PROTOCOL.sshsig defines
        // only version 1 with an empty reserved field, so a blob with anything else was not made by
        // ssh-keygen and is refused here.
        byte[] sigFile = OpenSsh.Sign(Alice, Snapshot);
        var fields = SigFile.Split(sigFile);
        byte[] mutated = mutation == "version 0"
            ? (fields with { Version = 0 }).ToSigFile()
            : (fields with { Reserved = "x"u8.ToArray() }).ToSigFile();

        Assert.True(OpenSsh.Verify(AllowedLine(Alice), "alice", mutated, Snapshot, Now));
        Assert.Equal(TrustReason.SignatureMalformed, Decide(Snapshot, mutated, AllowedLine(Alice)).Reason);
    }

    [Fact]
    public void Wrong_namespace_is_a_namespace_mismatch()
    {
        var decision = DecideAndAgree(Snapshot, OpenSsh.Sign(Alice, Snapshot, "file"), AllowedLine(Alice));

        Assert.Equal(TrustReason.NamespaceMismatch, decision.Reason);
    }

    [Fact]
    public void Namespaces_option_excluding_the_registry_is_a_namespace_mismatch()
    {
        var decision = DecideAndAgree(Snapshot, OpenSsh.Sign(Alice, Snapshot), AllowedLine(Alice, options: "namespaces=\"git,file*\""));
        Assert.Equal(TrustReason.NamespaceMismatch, decision.Reason);

        Assert.True(DecideAndAgree(Snapshot, OpenSsh.Sign(Alice, Snapshot), AllowedLine(Alice, options: "namespaces=\"git,keyagentd-*\"")).IsAccepted);
    }

    [Fact]
    public void Unknown_signer_is_refused()
    {
        var decision = DecideAndAgree(Snapshot, OpenSsh.Sign(Bob, Snapshot), AllowedLine(Alice));

        Assert.Equal(TrustReason.SignerUnknown, decision.Reason);
        Assert.Equal(Bob.Key.Sha256Fingerprint, decision.Signatures[0].Fingerprint);
    }

    [Fact]
    public void Revoked_signer_is_refused()
    {
        var revoked = RevokedSigners.Parse($"# retired 2026-05\n{Alice.PublicLine}\n");
        var decision = DecideAndAgree(Snapshot, OpenSsh.Sign(Alice, Snapshot), AllowedLine(Alice), revoked: revoked, revokedFile: Alice.PublicLine + "\n");
        Assert.Equal(TrustReason.SignerRevoked, decision.Reason);

        var byFingerprint = RevokedSigners.Parse(Alice.Key.Sha256Fingerprint + "\n");
        Assert.Equal(TrustReason.SignerRevoked, Decide(Snapshot, OpenSsh.Sign(Alice, Snapshot), AllowedLine(Alice), revoked: byFingerprint).Reason);
    }

    [Fact]
    public void Valid_after_edge_is_inclusive()
    {
        byte[] sigFile = OpenSsh.Sign(Alice, Snapshot);
        string allowed = AllowedLine(Alice, options: "valid-after=\"20260601120000Z\"");

        Assert.Equal(TrustReason.SignerNotYetValid, DecideAndAgree(Snapshot, sigFile, allowed, Now.AddSeconds(-1)).Reason);
        Assert.True(DecideAndAgree(Snapshot, sigFile, allowed, Now).IsAccepted);
    }

    [Fact]
    public void Valid_before_edge_is_inclusive()
    {
        byte[] sigFile = OpenSsh.Sign(Alice, Snapshot);
        string allowed = AllowedLine(Alice, options: "valid-after=\"20260101Z\",valid-before=\"20260601120000Z\"");

        Assert.True(DecideAndAgree(Snapshot, sigFile, allowed, Now).IsAccepted);
        Assert.Equal(TrustReason.SignerExpired, DecideAndAgree(Snapshot, sigFile, allowed, Now.AddSeconds(1)).Reason);
    }

    [Fact]
    public void Rotation_second_line_for_the_same_key_can_admit_it()
    {
        byte[] sigFile = OpenSsh.Sign(Alice, Snapshot);
        string allowed = AllowedLine(Alice, "old", "valid-before=\"20250101Z\"") + AllowedLine(Alice, "alice", "valid-after=\"20250101Z\"");

        var decision = Decide(Snapshot, sigFile, allowed);
        Assert.True(decision.IsAccepted);
        Assert.Equal("alice", decision.Signatures[0].Principals);
    }

    [Fact]
    public void Threshold_two_with_one_signer_is_not_met()
    {
        string allowed = AllowedLine(Alice) + AllowedLine(Bob, "bob");

        var decision = Decide(Snapshot, OpenSsh.Sign(Alice, Snapshot), allowed, threshold: 2);
        Assert.Equal(TrustReason.ThresholdNotMet, decision.Reason);
        Assert.Equal(1, decision.DistinctValidSigners);
    }

    [Fact]
    public void Threshold_two_with_two_signatures_by_the_same_key_is_not_met()
    {
        string allowed = AllowedLine(Alice) + AllowedLine(Bob, "bob");
        byte[] twice = SigFile.Concat(OpenSsh.Sign(Alice, Snapshot), OpenSsh.Sign(Alice, Snapshot, hashAlgorithm: "sha256"));

        var decision = Decide(Snapshot, twice, allowed, threshold: 2);
        Assert.Equal(TrustReason.ThresholdNotMet, decision.Reason);
        Assert.All(decision.Signatures, s => Assert.True(s.IsValid));
        Assert.Equal([true, false], decision.Signatures.Select(s => s.CountsTowardThreshold));
    }

    [Fact]
    public void Threshold_two_with_two_distinct_signers_is_met()
    {
        string allowed = AllowedLine(Alice) + AllowedLine(Bob, "bob");
        byte[] both = SigFile.Concat(OpenSsh.Sign(Alice, Snapshot), OpenSsh.Sign(Bob, Snapshot));

        var decision = Decide(Snapshot, both, allowed, threshold: 2);
        Assert.True(decision.IsAccepted);
        Assert.Equal(["alice", "bob"], decision.SignerPrincipals);
    }

    [Fact]
    public void One_good_signature_among_bad_ones_meets_threshold_one()
    {
        byte[] file = SigFile.Concat((SigFile.Split(OpenSsh.Sign(Alice, Snapshot)) with { Version = 2 }).ToSigFile(),
            OpenSsh.Sign(Bob, Snapshot), OpenSsh.Sign(Alice, Snapshot));

        var decision = Decide(Snapshot, file, AllowedLine(Alice));
        Assert.True(decision.IsAccepted);
        Assert.Equal([TrustReason.SignatureMalformed, TrustReason.SignerUnknown, TrustReason.Accepted], decision.Signatures.Select(s => s.Reason));
    }

    [Fact]
    public void Refusal_reports_the_first_signature_reason_when_none_is_valid()
    {
        byte[] file = SigFile.Concat(OpenSsh.Sign(Bob, Snapshot), OpenSsh.Sign(Alice, Snapshot, "git"));

        var decision = Decide(Snapshot, file, AllowedLine(Alice));
        Assert.Equal(TrustReason.SignerUnknown, decision.Reason);
        Assert.Contains("signature 1", decision.Detail);
    }

    [Fact]
    public void Security_key_without_touch_is_refused_when_presence_is_required()
    {
        var signer = CodeSigner.SkEd25519();
        byte[] untouched = signer.Sign(Snapshot, flags: 0x00);
        var allowed = AllowedSignersFile.Parse($"alice {signer.KeyText}\n", TimeZoneInfo.Utc);

        var lax = SignaturePolicy.Evaluate(Snapshot, untouched, allowed, RevokedSigners.None, new SignaturePolicyOptions(), Now);
        var strict = SignaturePolicy.Evaluate(Snapshot, untouched, allowed, RevokedSigners.None, new SignaturePolicyOptions { RequireUserPresence = true }, Now);
        Assert.True(lax.IsAccepted);
        Assert.Equal(TrustReason.SignatureInvalid, strict.Reason);
    }

    [Fact]
    public void Stream_and_span_give_the_same_decision()
    {
        byte[] sigFile = OpenSsh.Sign(Alice, Snapshot);
        var allowed = AllowedSignersFile.Parse(AllowedLine(Alice), TimeZoneInfo.Utc);

        var fromStream = SignaturePolicy.Evaluate(new MemoryStream(Snapshot), sigFile, allowed, RevokedSigners.None, new SignaturePolicyOptions(), Now);
        Assert.True(fromStream.IsAccepted);
        Assert.Equal(Decide(Snapshot, sigFile, AllowedLine(Alice)).SnapshotSha256, fromStream.SnapshotSha256);
    }
}
