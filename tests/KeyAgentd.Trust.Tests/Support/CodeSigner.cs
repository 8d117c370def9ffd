using System.Security.Cryptography;
using System.Text;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Security;

namespace KeyAgentd.Trust.Tests.Support;

/// <summary>
/// SSHSIG signatures made in code, for what ssh-keygen cannot make here: security-key signatures
/// (PROTOCOL.u2f, with chosen flags and counter, from a software Ed25519 or P-256 key) and the
/// SHA-1 "ssh-rsa" signature sshsig must refuse.
/// </summary>
public sealed class CodeSigner
{
    private readonly Func<byte[], byte[]> _signRaw;

    private CodeSigner(string type, byte[] publicKeyBlob, Func<byte[], byte[]> signRaw, string? application)
    {
        Type = type;
        PublicKeyBlob = publicKeyBlob;
        _signRaw = signRaw;
        Application = application;
    }

    public string Type { get; }

    public byte[] PublicKeyBlob { get; }

    public string? Application { get; }

    /// <summary>"type base64", for allowed_signers.</summary>
    public string KeyText => $"{Type} {Convert.ToBase64String(PublicKeyBlob)}";

    public static CodeSigner SkEd25519(string application = "ssh:")
    {
        var privateKey = new Ed25519PrivateKeyParameters(new SecureRandom());
        byte[] publicKey = privateKey.GeneratePublicKey().GetEncoded();
        const string type = "sk-ssh-ed25519@openssh.com";
        byte[] blob = new WireBuilder().String(type).String(publicKey).String(application).ToArray();
        return new CodeSigner(type, blob, data =>
        {
            var signer = new Ed25519Signer();
            signer.Init(true, privateKey);
            signer.BlockUpdate(data, 0, data.Length);
            return new WireBuilder().String(type).String(signer.GenerateSignature()).ToArray();
        }, application);
    }

    public static CodeSigner SkEcdsa(string application = "ssh:")
    {
        var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var q = ecdsa.ExportParameters(false).Q;
        const string type = "sk-ecdsa-sha2-nistp256@openssh.com";
        byte[] point = [0x04, .. q.X!, .. q.Y!];
        byte[] blob = new WireBuilder().String(type).String("nistp256").String(point).String(application).ToArray();
        return new CodeSigner(type, blob, data =>
        {
            byte[] p1363 = ecdsa.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
            byte[] inner = new WireBuilder().String(MPInt(p1363.AsSpan(0, 32))).String(MPInt(p1363.AsSpan(32))).ToArray();
            return new WireBuilder().String(type).String(inner).ToArray();
        }, application);
    }

    /// <summary>An RSA key that signs with the given SSH signature type ("ssh-rsa" is SHA-1).</summary>
    public static CodeSigner Rsa(string signatureType, int bits = 3072)
    {
        var rsa = RSA.Create(bits);
        var p = rsa.ExportParameters(false);
        byte[] blob = new WireBuilder().String("ssh-rsa").String(MPInt(p.Exponent)).String(MPInt(p.Modulus)).ToArray();
        HashAlgorithmName hash = signatureType switch
        {
            "ssh-rsa" => HashAlgorithmName.SHA1,
            "rsa-sha2-256" => HashAlgorithmName.SHA256,
            _ => HashAlgorithmName.SHA512,
        };
        return new CodeSigner("ssh-rsa", blob, data =>
            new WireBuilder().String(signatureType).String(rsa.SignData(data, hash, RSASignaturePadding.Pkcs1)).ToArray(), null);
    }

    /// <summary>A .sig file over <paramref name="message"/>; for a security key, with the given flags and counter.</summary>
    public byte[] Sign(byte[] message, byte flags = 0x01, uint counter = 42, string @namespace = OpenSsh.Namespace)
    {
        byte[] hash = SHA512.HashData(message);
        byte[] signedData = new WireBuilder().Raw("SSHSIG"u8).String(@namespace).String(""u8).String("sha512").String(hash).ToArray();
        byte[] signature;
        if (Application is null)
        {
            signature = _signRaw(signedData);
        }
        else
        {
            // PROTOCOL.u2f: the authenticator signs SHA256(application) || flags || counter || SHA256(data).
            byte[] authenticatorData = new WireBuilder().Raw(SHA256.HashData(Encoding.UTF8.GetBytes(Application)))
                .Raw([flags]).UInt32(counter).Raw(SHA256.HashData(signedData)).ToArray();
            signature = new WireBuilder().Raw(_signRaw(authenticatorData)).Raw([flags]).UInt32(counter).ToArray();
        }
        return new SigFile.Fields(1, PublicKeyBlob, @namespace, [], "sha512", signature).ToSigFile();
    }

    private static byte[] MPInt(ReadOnlySpan<byte> magnitude)
    {
        int start = 0;
        while (start < magnitude.Length && magnitude[start] == 0)
        {
            start++;
        }
        var trimmed = magnitude[start..];
        return trimmed.Length > 0 && (trimmed[0] & 0x80) != 0 ? [0, .. trimmed] : trimmed.ToArray();
    }
}
