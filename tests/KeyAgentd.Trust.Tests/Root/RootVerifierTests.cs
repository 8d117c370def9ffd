using KeyAgentd.Trust.Root;
using KeyAgentd.Trust.Tests.Support;
using static KeyAgentd.Trust.Tests.Support.RootDocuments;

namespace KeyAgentd.Trust.Tests.Root;

/// <summary>TUF's root rules over SSHSIG: a successor needs the previous root's threshold and its own.</summary>
public class RootVerifierTests
{
    private static readonly SignerKey Alice = Key("alice");
    private static readonly SignerKey Bob = Key("bob", "ecdsa");
    private static readonly SignerKey Carol = Key("carol", "rsa");
    private static readonly SignerKey Dave = Key("dave");
    private static readonly SignerKey Ci = Key("ci");

    /// <summary>Version 1: alice and bob hold root keys, both needed.</summary>
    private static readonly TrustRoot V1 = Trusted(Document(1, [("alice", Alice), ("bob", Bob)], 2, [("ci", Ci)]), Alice, Bob);

    private static RootCheck Successor(TrustRootDocument next, params SignerKey[] signers)
    {
        var (bytes, signature) = Signed(next, signers);
        return RootVerifier.VerifySuccessor(V1, bytes, signature, 2048, Now);
    }

    /// <summary>The same document a day longer-lived: still a valid root, no longer the bytes signed.</summary>
    private static byte[] Tamper(byte[] bytes)
    {
        string text = System.Text.Encoding.UTF8.GetString(bytes);
        string expires = TrustRootWriter.Date(Now.AddDays(365));
        Assert.Contains(expires, text, StringComparison.Ordinal);
        return System.Text.Encoding.UTF8.GetBytes(text.Replace(expires, TrustRootWriter.Date(Now.AddDays(366)), StringComparison.Ordinal));
    }

    [Fact]
    public void A_successor_signed_by_the_previous_threshold_and_its_own_is_accepted()
    {
        // bob's key is stolen: alice and bob rotate it out for carol; the new root is signed by all three.
        var check = Successor(Document(2, [("alice", Alice), ("carol", Carol)], 2, [("ci", Ci)]), Alice, Bob, Carol);

        Assert.True(check.IsAccepted, check.ToString());
        Assert.Equal(2, check.Root!.Version);
        Assert.Equal(["alice", "bob", "carol"], check.Root.SignedBy.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void One_stolen_root_key_of_two_cannot_sign_a_root_alone()
    {
        var check = Successor(Document(2, [("bob", Bob)], 1, [("ci", Ci)]), Bob);

        Assert.Equal(RootReason.ThresholdNotMet, check.Reason);
        Assert.Contains("root keys of version 1: 1 of 2", check.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_root_signed_only_by_its_new_keys_is_refused()
    {
        var check = Successor(Document(2, [("dave", Dave)], 1, [("ci", Ci)]), Dave);

        Assert.Equal(RootReason.ThresholdNotMet, check.Reason);
        Assert.Contains("signer-unknown", check.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_root_whose_own_keys_did_not_sign_is_refused()
    {
        // The old holders cannot hand the root to keys that never agreed to hold it.
        var check = Successor(Document(2, [("alice", Alice), ("dave", Dave)], 2, [("ci", Ci)]), Alice, Bob);

        Assert.Equal(RootReason.ThresholdNotMet, check.Reason);
        Assert.Contains("its own root keys: 1 of 2", check.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1, RootReason.Rollback)]
    [InlineData(0 + 3, RootReason.VersionSkip)]
    public void Only_the_next_version_is_a_successor(long version, RootReason expected)
    {
        var check = Successor(Document(version, [("alice", Alice), ("bob", Bob)], 2, [("ci", Ci)]), Alice, Bob);

        Assert.Equal(expected, check.Reason);
        Assert.Equal(version, check.Version);
    }

    [Fact]
    public void Changed_bytes_or_a_signature_in_another_namespace_are_invalid_signatures()
    {
        var next = Document(2, [("alice", Alice), ("bob", Bob)], 2, [("ci", Ci)]);
        var (bytes, signature) = Signed(next, Alice, Bob);
        byte[] tampered = Tamper(bytes);

        Assert.Equal(RootReason.SignatureInvalid, RootVerifier.VerifySuccessor(V1, tampered, signature, 2048, Now).Reason);
        // A snapshot signature made by the very same keys never passes as a root signature.
        byte[] snapshotNamespace = SigFile.Concat(OpenSsh.Sign(Alice, bytes), OpenSsh.Sign(Bob, bytes));
        Assert.Equal(RootReason.SignatureInvalid, RootVerifier.VerifySuccessor(V1, bytes, snapshotNamespace, 2048, Now).Reason);
        Assert.Equal(RootReason.SignatureInvalid, RootVerifier.VerifySuccessor(V1, bytes, [], 2048, Now).Reason);
    }

    [Fact]
    public void A_document_that_does_not_parse_is_malformed()
    {
        var check = RootVerifier.VerifySuccessor(V1, "{\"schema\": \"keyagentd-root/1\"}"u8, [], 2048, Now);

        Assert.Equal(RootReason.Malformed, check.Reason);
        Assert.Contains("has no \"version\"", check.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_root_key_the_current_root_revokes_does_not_count()
    {
        var v1 = Trusted(Document(1, [("alice", Alice), ("bob", Bob), ("carol", Carol)], 2, [("ci", Ci)], revoked: [Bob.Key.Sha256Fingerprint]), Alice, Carol);
        var (bytes, signature) = Signed(Document(2, [("alice", Alice), ("bob", Bob)], 1, [("ci", Ci)]), Alice, Bob);

        var check = RootVerifier.VerifySuccessor(v1, bytes, signature, 2048, Now);

        Assert.Equal(RootReason.ThresholdNotMet, check.Reason);
        Assert.Contains("signer-revoked", string.Join(' ', check.ByPrevious!.Signatures.Select(s => s.ReasonCode)), StringComparison.Ordinal);
    }

    [Fact]
    public void Expiry_is_not_judged_per_step_but_at_the_end_of_a_walk()
    {
        var check = Successor(Document(2, [("alice", Alice), ("bob", Bob)], 2, [("ci", Ci)], expires: Now.AddDays(-1)), Alice, Bob);

        Assert.True(check.IsAccepted);
        Assert.True(check.Root!.IsExpired(Now));
    }

    [Fact]
    public void A_first_root_is_accepted_only_on_pinned_fingerprints()
    {
        var (bytes, signature) = Signed(Document(1, [("alice", Alice), ("bob", Bob)], 2, [("ci", Ci)]), Alice, Bob);

        Assert.True(RootVerifier.VerifyFirst(bytes, signature, [Alice.Key.Sha256Fingerprint, Bob.Key.Sha256Fingerprint], 2048, Now).IsAccepted);
        var none = RootVerifier.VerifyFirst(bytes, signature, [Dave.Key.Sha256Fingerprint], 2048, Now);
        Assert.Equal(RootReason.PinMismatch, none.Reason);
        // One pinned key cannot meet a threshold of two, whoever else signed.
        Assert.Equal(RootReason.PinMismatch, RootVerifier.VerifyFirst(bytes, signature, [Alice.Key.Sha256Fingerprint], 2048, Now).Reason);

        // An attacker's root of their own making names their keys: no pin matches.
        var (forged, forgedSignature) = Signed(Document(1, [("mallory", Dave)], 1, [("ci", Dave)]), Dave);
        Assert.Equal(RootReason.PinMismatch, RootVerifier.VerifyFirst(forged, forgedSignature, [Alice.Key.Sha256Fingerprint], 2048, Now).Reason);
    }

    [Fact]
    public void A_kept_root_whose_version_is_not_the_recorded_one_is_refused()
    {
        Assert.True(RootVerifier.VerifyKept(V1.Bytes, V1.Signature, 1, 2048, Now).IsAccepted);
        Assert.Equal(RootReason.Rollback, RootVerifier.VerifyKept(V1.Bytes, V1.Signature, 2, 2048, Now).Reason);
    }

    [Fact]
    public void Ssh_keygen_agrees_with_every_root_signature_accepted_and_refused()
    {
        var next = Document(2, [("alice", Alice), ("carol", Carol)], 2, [("ci", Ci)]);
        var signers = new[] { ("alice", Alice), ("bob", Bob), ("carol", Carol) };
        var (bytes, signature) = Signed(next, [.. signers.Select(s => s.Item2)]);
        byte[] tampered = Tamper(bytes);
        var accepted = RootVerifier.VerifySuccessor(V1, bytes, signature, 2048, Now);
        var refused = RootVerifier.VerifySuccessor(V1, tampered, signature, 2048, Now);
        Assert.True(accepted.IsAccepted);
        Assert.Equal(RootReason.SignatureInvalid, refused.Reason);

        // Each block, judged by ssh-keygen -Y verify against the same root keys (as allowed_signers for
        // the root namespace), gets the same yes or no as here: for version 1's keys and for version 2's.
        foreach (var (root, decision, message) in new[] { (V1, accepted.ByPrevious!, bytes), (accepted.Root!, accepted.ByItself!, bytes), (V1, refused.ByPrevious!, tampered) })
        {
            string allowed = string.Join('\n', root.Document.RootKeys.Select(k => $"{k.Principal} namespaces=\"{TrustRootDocument.Namespace}\" {k.Key.TypeName} {k.Key.Base64}")) + "\n";
            foreach (var verdict in decision.Signatures)
            {
                var (principal, key) = signers[verdict.Index - 1];
                byte[] block = SigFile.Armor(SshSignatureArmorBlocks(signature)[verdict.Index - 1]);
                Assert.Equal(verdict.IsValid, OpenSsh.Verify(allowed, principal, block, message, @namespace: TrustRootDocument.Namespace));
                Assert.False(OpenSsh.Verify(allowed, principal, block, message, @namespace: "keyagentd-registry"));
            }
        }
    }

    private static IReadOnlyList<byte[]> SshSignatureArmorBlocks(byte[] signatureFile) => KeyAgentd.Trust.Signatures.SshSignatureArmor.Decode(signatureFile);
}
