using System.Buffers.Binary;
using System.Security.Cryptography;
using KeyAgentd.Core.Keys;

namespace KeyAgentd.Trust.Signatures;

public static partial class SshSignatureVerifier
{
    /// <summary>PROTOCOL.u2f: the authenticator's user-presence flag.</summary>
    public const byte UserPresenceFlag = 0x01;

    /// <summary>
    /// ssh-ed25519-sk.c ssh_ed25519_sk_verify and ssh-ecdsa-sk.c ssh_ecdsa_sk_verify: the authenticator
    /// signed SHA256(application) || flags || uint32 counter || SHA256(signed data), not the data itself.
    /// </summary>
    private static SignatureCheck VerifySecurityKey(SshPublicKey key, ReadOnlySpan<byte> blob, byte[] signedData, bool requireUserPresence)
    {
        if (!ReadOuter(blob, key.TypeName, securityKey: true, out var signature, out byte flags, out uint counter, out string? error))
        {
            return SignatureCheck.Invalid(error!);
        }
        byte[] authenticatorData = AuthenticatorData(key.Application!, flags, counter, signedData);
        bool valid = key.Type.Algorithm == SshKeyAlgorithm.SkEd25519
            ? Ed25519Verify(Ed25519PublicKey(key), signature, authenticatorData)
            : EcdsaVerify(key, signature, authenticatorData, HashAlgorithmName.SHA256);
        if (!valid)
        {
            return SignatureCheck.Invalid("security key signature does not verify");
        }
        // As sshd's "no-touch-required" logic: the flag is checked only once the signature is known to be genuine.
        if (requireUserPresence && (flags & UserPresenceFlag) == 0)
        {
            return SignatureCheck.Invalid($"security key signature lacks user presence (flags 0x{flags:x2})");
        }
        return SignatureCheck.Valid;
    }

    internal static byte[] AuthenticatorData(string application, byte flags, uint counter, ReadOnlySpan<byte> signedData)
    {
        var data = new byte[32 + 1 + 4 + 32];
        SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(application), data);
        data[32] = flags;
        BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(33), counter);
        SHA256.HashData(signedData, data.AsSpan(37));
        return data;
    }
}
