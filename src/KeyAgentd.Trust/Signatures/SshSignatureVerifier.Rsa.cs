using System.Security.Cryptography;
using System.Text;
using KeyAgentd.Core.Keys;

namespace KeyAgentd.Trust.Signatures;

public static partial class SshSignatureVerifier
{
    /// <summary>
    /// ssh-rsa.c ssh_rsa_verify, limited as sshsig_wrap_verify limits it: rsa-sha2-256 or rsa-sha2-512
    /// only. A signature shorter than the modulus is left-padded with zeros, as ssh_rsa_verify does;
    /// a longer one is refused.
    /// </summary>
    private static SignatureCheck VerifyRsa(SshPublicKey key, ReadOnlySpan<byte> blob, byte[] signedData, int minRsaBits)
    {
        if (key.Bits < Math.Max(minRsaBits, 1024))
        {
            return SignatureCheck.Invalid($"RSA key has {key.Bits} bits, fewer than the {Math.Max(minRsaBits, 1024)} required");
        }
        var outer = new SshWireReader(blob);
        ReadOnlySpan<byte> type = outer.ReadString("signature type", 64);
        ReadOnlySpan<byte> signature = outer.ReadString("signature", SshWireReader.MaxMPIntBytes);
        outer.ReadEnd();
        HashAlgorithmName hash;
        if (type.SequenceEqual("rsa-sha2-256"u8))
        {
            hash = HashAlgorithmName.SHA256;
        }
        else if (type.SequenceEqual("rsa-sha2-512"u8))
        {
            hash = HashAlgorithmName.SHA512;
        }
        else
        {
            return SignatureCheck.Invalid($"RSA signature type {Encoding.ASCII.GetString(type)} is not acceptable (rsa-sha2-256 or rsa-sha2-512 only)");
        }

        var reader = new SshWireReader(key.Blob);
        reader.ReadString("key type", 64);
        byte[] exponent = reader.ReadPositiveMPInt("RSA exponent").ToArray();
        byte[] modulus = reader.ReadPositiveMPInt("RSA modulus").ToArray();
        if (signature.Length > modulus.Length)
        {
            return SignatureCheck.Invalid("RSA signature is longer than the modulus");
        }
        var padded = new byte[modulus.Length];
        signature.CopyTo(padded.AsSpan(modulus.Length - signature.Length));
        using var rsa = RSA.Create(new RSAParameters { Modulus = modulus, Exponent = exponent });
        return rsa.VerifyData(signedData, padded, hash, RSASignaturePadding.Pkcs1)
            ? SignatureCheck.Valid
            : SignatureCheck.Invalid("RSA signature does not verify");
    }
}
