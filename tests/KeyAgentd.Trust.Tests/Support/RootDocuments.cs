using KeyAgentd.Trust.Root;

namespace KeyAgentd.Trust.Tests.Support;

/// <summary>
/// Root documents for tests: built from ssh-keygen keys, rendered by the one writer, signed by
/// `ssh-keygen -Y sign -n keyagentd-root` with each chosen key (one block each, concatenated as a .sig
/// file with several signers is).
/// </summary>
public static class RootDocuments
{
    public static readonly DateTimeOffset Now = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);

    public static SignerKey Key(string name, string type = "ed25519") => SignerKey.Get(type, type == "rsa" ? 3072 : type == "ecdsa" ? 256 : 0, name);

    public static TrustRootDocument Document(long version, (string Principal, SignerKey Key)[] rootKeys, int rootThreshold,
        (string Principals, SignerKey Key)[] snapshotSigners, int snapshotThreshold = 1, DateTimeOffset? expires = null,
        IReadOnlyList<string>? revoked = null) =>
        new(version, expires ?? Now.AddDays(365), rootThreshold,
            [.. rootKeys.Select(k => new RootKey(k.Principal, k.Key.Key, null))],
            snapshotThreshold,
            [.. snapshotSigners.Select(s => new SnapshotSigner(s.Principals, s.Key.Key, null, null, null))],
            revoked ?? [], null);

    /// <summary>The document's bytes and a .sig file with one `ssh-keygen -Y sign` block per signer.</summary>
    public static (byte[] Bytes, byte[] Signature) Signed(TrustRootDocument document, params SignerKey[] signers)
    {
        byte[] bytes = TrustRootWriter.Render(document);
        return (bytes, SigFile.Concat([.. signers.Select(s => OpenSsh.Sign(s, bytes, TrustRootDocument.Namespace))]));
    }

    /// <summary>A first root accepted on its own keys, as a host that installed it with the package holds it.</summary>
    public static TrustRoot Trusted(TrustRootDocument document, params SignerKey[] signers)
    {
        var (bytes, signature) = Signed(document, signers);
        var check = RootVerifier.VerifyFirst(bytes, signature, null, 2048, Now);
        Assert.True(check.IsAccepted, check.ToString());
        return check.Root!;
    }
}
