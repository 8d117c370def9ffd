using System.Text;
using KeyAgentd.Core.Policy;

namespace KeyAgentd.Core.Keys;

public static partial class SshPublicKeyDecoder
{
    /// <summary>OpenSSH's SSHKEY_CERT_MAX_PRINCIPALS.</summary>
    private const int MaxPrincipals = 256;

    /// <summary>
    /// The fields every OpenSSH certificate carries after the key (PROTOCOL.certkeys), read as
    /// sshkey.c cert_parse reads them so a certificate is fully validated and reportable (what
    /// ssh-keygen -L shows). None of them is ever trusted here, and the CA's signature is not
    /// checked: sshd does both when a certificate is presented.
    /// </summary>
    private static SshCertificateInfo ReadCertificateFields(ref SshWireReader reader)
    {
        ulong serial = reader.ReadUInt64("certificate serial");
        uint kind = reader.ReadUInt32("certificate type");
        if (kind is not (1 or 2))
        {
            ThrowHelper.Invalid($"certificate type {kind} is neither user (1) nor host (2)");
        }
        string keyId = ReadCString(reader.ReadString("certificate key id", 4096), "certificate key id");
        var principals = ReadPrincipals(reader.ReadString("certificate principals", MaxBlobBytes));
        ulong validAfter = reader.ReadUInt64("certificate valid-after");
        ulong validBefore = reader.ReadUInt64("certificate valid-before");
        var critical = ReadOptions(reader.ReadString("certificate critical options", MaxBlobBytes), "certificate critical option");
        var extensions = ReadOptions(reader.ReadString("certificate extensions", MaxBlobBytes), "certificate extension");
        reader.ReadString("certificate reserved field", MaxBlobBytes);
        var signatureKey = DecodeSignatureKey(reader.ReadString("certificate signature key", MaxBlobBytes));
        string signatureAlgorithm = ReadSignatureAlgorithm(reader.ReadString("certificate signature", MaxBlobBytes));
        return new SshCertificateInfo(serial, (SshCertificateKind)kind, keyId, principals, validAfter, validBefore)
        {
            SignatureKey = signatureKey,
            SignatureAlgorithm = signatureAlgorithm,
            CriticalOptions = critical,
            Extensions = extensions,
        };
    }

    private static List<string> ReadPrincipals(ReadOnlySpan<byte> packed)
    {
        var principals = new List<string>();
        var inner = new SshWireReader(packed);
        while (inner.Remaining > 0)
        {
            if (principals.Count == MaxPrincipals)
            {
                ThrowHelper.Invalid($"certificate names more than {MaxPrincipals} principals");
            }
            principals.Add(ReadCString(inner.ReadString("certificate principal", 4096), "certificate principal"));
        }
        return principals;
    }

    /// <summary>A packed list of (name, data) pairs, as cert_parse keeps it and ssh-keygen's show_options walks it.</summary>
    private static List<SshCertificateOption> ReadOptions(ReadOnlySpan<byte> packed, string what)
    {
        var options = new List<SshCertificateOption>();
        var inner = new SshWireReader(packed);
        while (inner.Remaining > 0)
        {
            string name = ReadCString(inner.ReadString(what + " name", 1024), what + " name");
            options.Add(new SshCertificateOption(name, inner.ReadString(what + " data", MaxBlobBytes).ToArray()));
        }
        return options;
    }

    /// <summary>cert_parse refuses a CA key that is itself a certificate (SSH_ERR_KEY_CERT_INVALID_SIGN_KEY).</summary>
    private static SshPublicKey DecodeSignatureKey(ReadOnlySpan<byte> blob)
    {
        var reader = new SshWireReader(blob);
        ReadOnlySpan<byte> typeName = reader.ReadString("certificate signature key type", MaxTypeNameBytes);
        if (!SshKeyType.TryGet(Encoding.ASCII.GetString(typeName), out var type))
        {
            ThrowHelper.Throw(ReasonCode.UnknownKeyType,
                $"certificate signature key has the unknown type \"{SafeText.Escape(Encoding.ASCII.GetString(typeName), MaxShownLength)}\"");
        }
        if (type.IsCertificate)
        {
            ThrowHelper.Invalid("certificate signature key is itself a certificate");
        }
        return Decode(type, blob.ToArray());
    }

    /// <summary>The first string of the signature blob: the algorithm ssh-keygen -L shows after "using".</summary>
    private static string ReadSignatureAlgorithm(ReadOnlySpan<byte> signature)
    {
        var reader = new SshWireReader(signature);
        return Encoding.ASCII.GetString(reader.ReadString("certificate signature type", MaxTypeNameBytes));
    }

    /// <summary>sshbuf_get_cstring: a string with a NUL inside is refused, as C would silently cut it there.</summary>
    private static string ReadCString(ReadOnlySpan<byte> value, string what)
    {
        if (value.Contains((byte)0))
        {
            ThrowHelper.Invalid($"{what} contains a NUL byte");
        }
        return Encoding.UTF8.GetString(value);
    }
}
