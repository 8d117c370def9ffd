using System.Text;
using KeyAgentd.Core.Keys;
using KeyAgentd.Trust.Wire;

namespace KeyAgentd.Trust.Signatures;

/// <summary>
/// Checks an SSHSIG signature the way sshsig.c sshsig_wrap_verify does: rebuild the signed data
/// ("SSHSIG" || string namespace || string reserved || string hash || string H(message)) and verify
/// it with the signer key under the signature type that key allows. RSA must use rsa-sha2-256/512
/// (never SHA-1 ssh-rsa), as sshsig_wrap_verify insists. The caller checks the namespace and the
/// signer's trust; this class answers only "did this key sign this message".
/// </summary>
public static partial class SshSignatureVerifier
{
    public static SignatureCheck Verify(SshSignature signature, ReadOnlySpan<byte> message, SignatureVerifyOptions options) =>
        Verify(signature, MessageDigest.Compute(message, signature.Hash == SshSignatureHash.Sha512), options);

    public static SignatureCheck Verify(SshSignature signature, Stream message, SignatureVerifyOptions options) =>
        Verify(signature, MessageDigest.Compute(message, signature.Hash == SshSignatureHash.Sha512), options);

    public static SignatureCheck Verify(SshSignature signature, MessageDigest digest, SignatureVerifyOptions options)
    {
        SshPublicKey key = signature.PublicKey;
        if (key.Type.IsCertificate)
        {
            return SignatureCheck.Invalid("certificate signers need cert-authority, which this version does not support");
        }
        byte[] signedData = SignedData(signature, digest.Get(signature.Hash));
        try
        {
            return key.Type.Algorithm switch
            {
                SshKeyAlgorithm.Ed25519 => VerifyEd25519(key, signature.Signature, signedData),
                SshKeyAlgorithm.Ecdsa => VerifyEcdsa(key, signature.Signature, signedData),
                SshKeyAlgorithm.Rsa => VerifyRsa(key, signature.Signature, signedData, options.MinRsaBits),
                SshKeyAlgorithm.SkEd25519 or SshKeyAlgorithm.SkEcdsa => VerifySecurityKey(key, signature.Signature, signedData, options.RequireUserPresence),
                _ => SignatureCheck.Invalid($"{key.TypeName} keys cannot sign registry snapshots"),
            };
        }
        catch (KeyFormatException ex)
        {
            return SignatureCheck.Invalid($"signature blob is malformed: {ex.Message}");
        }
        catch (System.Security.Cryptography.CryptographicException ex)
        {
            return SignatureCheck.Invalid($"signer key was refused by the cryptography library: {ex.Message}");
        }
    }

    /// <summary>The bytes the signer's key actually signed (PROTOCOL.sshsig "Signed Data").</summary>
    internal static byte[] SignedData(SshSignature signature, ReadOnlySpan<byte> messageHash)
    {
        var writer = new WireWriter();
        writer.Raw("SSHSIG"u8);
        writer.String(Encoding.ASCII.GetBytes(signature.Namespace));
        writer.String([]);
        writer.String(Encoding.ASCII.GetBytes(signature.HashName));
        writer.String(messageHash);
        return writer.ToArray();
    }

    /// <summary>
    /// Reads the outer SSH signature (sshkey_verify): string type, string signature, and for a security
    /// key byte flags and uint32 counter; the type must be exactly <paramref name="expectedType"/>.
    /// </summary>
    private static bool ReadOuter(ReadOnlySpan<byte> blob, string expectedType, bool securityKey,
        out ReadOnlySpan<byte> inner, out byte flags, out uint counter, out string? error)
    {
        var reader = new SshWireReader(blob);
        ReadOnlySpan<byte> type = reader.ReadString("signature type", 64);
        inner = reader.ReadString("signature", 4096);
        flags = securityKey ? reader.ReadByte("security key flags") : (byte)0;
        counter = securityKey ? reader.ReadUInt32("security key counter") : 0;
        reader.ReadEnd();
        error = Ascii.Equals(type, expectedType) ? null : $"signature type {Encoding.ASCII.GetString(type)} does not match key type {expectedType}";
        return error is null;
    }
}
