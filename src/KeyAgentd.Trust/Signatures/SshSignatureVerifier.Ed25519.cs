using KeyAgentd.Core.Keys;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;

namespace KeyAgentd.Trust.Signatures;

public static partial class SshSignatureVerifier
{
    /// <summary>ssh-ed25519.c ssh_ed25519_verify: a 64-byte signature over the signed data itself.</summary>
    private static SignatureCheck VerifyEd25519(SshPublicKey key, ReadOnlySpan<byte> blob, byte[] signedData)
    {
        if (!ReadOuter(blob, SshKeyType.Ed25519, securityKey: false, out var signature, out _, out _, out string? error))
        {
            return SignatureCheck.Invalid(error!);
        }
        return Ed25519Verify(Ed25519PublicKey(key), signature, signedData)
            ? SignatureCheck.Valid
            : SignatureCheck.Invalid("Ed25519 signature does not verify");
    }

    private static bool Ed25519Verify(byte[] publicKey, ReadOnlySpan<byte> signature, byte[] data)
    {
        if (signature.Length != 64)
        {
            return false;
        }
        var verifier = new Ed25519Signer();
        verifier.Init(false, new Ed25519PublicKeyParameters(publicKey));
        verifier.BlockUpdate(data, 0, data.Length);
        return verifier.VerifySignature(signature.ToArray());
    }

    /// <summary>The 32-byte point of an ssh-ed25519 or sk-ssh-ed25519 key blob (already validated by the decoder).</summary>
    private static byte[] Ed25519PublicKey(SshPublicKey key)
    {
        var reader = new SshWireReader(key.Blob);
        reader.ReadString("key type", 64);
        return reader.ReadString("Ed25519 public key", 32).ToArray();
    }
}
