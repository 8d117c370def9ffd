using System.Security.Cryptography;
using KeyAgentd.Core.Keys;

namespace KeyAgentd.Trust.Signatures;

public static partial class SshSignatureVerifier
{
    /// <summary>ssh-ecdsa.c ssh_ecdsa_verify: inner blob mpint r, mpint s; the curve fixes the hash.</summary>
    private static SignatureCheck VerifyEcdsa(SshPublicKey key, ReadOnlySpan<byte> blob, byte[] signedData)
    {
        if (!ReadOuter(blob, key.TypeName, securityKey: false, out var signature, out _, out _, out string? error))
        {
            return SignatureCheck.Invalid(error!);
        }
        HashAlgorithmName hash = key.Type.Curve switch
        {
            "nistp256" => HashAlgorithmName.SHA256,
            "nistp384" => HashAlgorithmName.SHA384,
            _ => HashAlgorithmName.SHA512,
        };
        return EcdsaVerify(key, signature, signedData, hash)
            ? SignatureCheck.Valid
            : SignatureCheck.Invalid("ECDSA signature does not verify");
    }

    private static bool EcdsaVerify(SshPublicKey key, ReadOnlySpan<byte> inner, byte[] data, HashAlgorithmName hash)
    {
        var (curve, size) = key.Type.Curve switch
        {
            "nistp256" => (ECCurve.NamedCurves.nistP256, 32),
            "nistp384" => (ECCurve.NamedCurves.nistP384, 48),
            _ => (ECCurve.NamedCurves.nistP521, 66),
        };
        var reader = new SshWireReader(key.Blob);
        reader.ReadString("key type", 64);
        reader.ReadString("curve name", 32);
        ReadOnlySpan<byte> point = reader.ReadString("EC public point", 1 + 2 * size);

        var sig = new SshWireReader(inner);
        ReadOnlySpan<byte> r = sig.ReadPositiveMPInt("ECDSA r");
        ReadOnlySpan<byte> s = sig.ReadPositiveMPInt("ECDSA s");
        sig.ReadEnd();
        if (r.Length == 0 || s.Length == 0 || r.Length > size || s.Length > size)
        {
            return false;
        }
        // IEEE P1363: r and s left-padded to the field size, which is what the BCL verifies.
        var p1363 = new byte[2 * size];
        r.CopyTo(p1363.AsSpan(size - r.Length));
        s.CopyTo(p1363.AsSpan(2 * size - s.Length));
        using var ecdsa = ECDsa.Create(new ECParameters
        {
            Curve = curve,
            Q = new ECPoint { X = point.Slice(1, size).ToArray(), Y = point.Slice(1 + size, size).ToArray() },
        });
        return ecdsa.VerifyData(data, p1363, hash, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }
}
