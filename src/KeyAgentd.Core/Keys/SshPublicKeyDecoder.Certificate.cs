using System.Text;

namespace KeyAgentd.Core.Keys;

public static partial class SshPublicKeyDecoder
{
    /// <summary>
    /// The fields every OpenSSH certificate carries after the key (PROTOCOL.certkeys). They are read
    /// so a certificate is fully validated and reportable; none of them is ever trusted here.
    /// </summary>
    private static SshCertificateInfo ReadCertificateFields(ref SshWireReader reader)
    {
        ulong serial = reader.ReadUInt64("certificate serial");
        uint kind = reader.ReadUInt32("certificate type");
        if (kind is not (1 or 2))
        {
            ThrowHelper.Invalid($"certificate type {kind} is neither user (1) nor host (2)");
        }
        string keyId = Encoding.UTF8.GetString(reader.ReadString("certificate key id", 4096));
        var principals = ReadPrincipals(reader.ReadString("certificate principals", MaxBlobBytes));
        ulong validAfter = reader.ReadUInt64("certificate valid-after");
        ulong validBefore = reader.ReadUInt64("certificate valid-before");
        reader.ReadString("certificate critical options", MaxBlobBytes);
        reader.ReadString("certificate extensions", MaxBlobBytes);
        reader.ReadString("certificate reserved field", MaxBlobBytes);
        reader.ReadString("certificate signature key", MaxBlobBytes);
        reader.ReadString("certificate signature", MaxBlobBytes);
        return new SshCertificateInfo(serial, (SshCertificateKind)kind, keyId, principals, validAfter, validBefore);
    }

    private static List<string> ReadPrincipals(ReadOnlySpan<byte> packed)
    {
        var principals = new List<string>();
        var inner = new SshWireReader(packed);
        while (inner.Remaining > 0)
        {
            principals.Add(Encoding.UTF8.GetString(inner.ReadString("certificate principal", 4096)));
        }
        return principals;
    }
}
