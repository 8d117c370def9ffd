using KeyAgentd.Core.Keys;

namespace KeyAgentd.Trust.Signatures;

/// <summary>
/// One parsed SSHSIG blob (PROTOCOL.sshsig): who claims to have signed, for which namespace, with
/// which message hash, and the raw SSH signature (type, signature bytes, and for security keys
/// flags and counter). Parsing proves only the shape; <see cref="SshSignatureVerifier"/> proves the rest.
/// </summary>
public sealed class SshSignature
{
    private readonly byte[] _signature;

    internal SshSignature(SshPublicKey publicKey, string @namespace, SshSignatureHash hash, byte[] signature)
    {
        PublicKey = publicKey;
        Namespace = @namespace;
        Hash = hash;
        _signature = signature;
    }

    public SshPublicKey PublicKey { get; }

    public string Namespace { get; }

    public SshSignatureHash Hash { get; }

    /// <summary>The SSH signature blob: string sig-type, string sig, [byte flags, uint32 counter].</summary>
    public ReadOnlySpan<byte> Signature => _signature;

    public string HashName => Hash == SshSignatureHash.Sha256 ? "sha256" : "sha512";
}
