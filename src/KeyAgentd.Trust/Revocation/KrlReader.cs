using KeyAgentd.Core.Keys;

namespace KeyAgentd.Trust.Revocation;

/// <summary>
/// Reads an OpenSSH key revocation list (PROTOCOL.krl, krl.c ssh_krl_from_blob) for the revocations
/// that can name a plain signer key: KRL_SECTION_EXPLICIT_KEY (plain key blobs),
/// KRL_SECTION_FINGERPRINT_SHA1 and KRL_SECTION_FINGERPRINT_SHA256 (hashes of plain key blobs),
/// which is everything `ssh-keygen -k` writes for keys, key: / sha1: / sha256: / hash: spec lines.
/// KRL_SECTION_CERTIFICATES is read in full and then set aside: krl.c consults it only for a key that
/// is a certificate, and a registry signer is always a plain key (allowed_signers refuses
/// cert-authority and certificates), so no certificate revocation can revoke a signer. Anything else
/// (a signature section, an extension, a section type this reader does not know, a format version
/// other than 1, trailing or truncated bytes) is a <see cref="FormatException"/>: a revocation we
/// cannot read must not be mistaken for no revocation.
/// </summary>
internal static class KrlReader
{
    private const byte SectionCertificates = 1;
    private const byte SectionFingerprintSha1 = 3;
    private const byte SectionSignature = 4;
    private const byte SectionExtension = 255;

    // krl.h: the subsections of a certificate section.
    private const byte CertSerialList = 0x20;
    private const byte CertSerialRange = 0x21;
    private const byte CertSerialBitmap = 0x22;
    private const byte CertKeyId = 0x23;

    private const int Sha1Length = 20;

    public static bool IsKrl(ReadOnlySpan<byte> content) =>
        content.Length >= 8 && System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(content) == KrlWriter.Magic;

    public static void Read(ReadOnlySpan<byte> krl, RevocationSet revoked)
    {
        try
        {
            var reader = new SshWireReader(krl);
            reader.ReadUInt64("KRL magic");
            uint format = reader.ReadUInt32("KRL format version");
            if (format != KrlWriter.FormatVersion)
            {
                throw new FormatException($"KRL format version {format} is not {KrlWriter.FormatVersion}");
            }
            reader.ReadUInt64("krl_version");
            reader.ReadUInt64("generated_date");
            reader.ReadUInt64("flags");
            reader.ReadString("reserved", krl.Length);
            reader.ReadString("comment", krl.Length);
            while (reader.Remaining > 0)
            {
                byte type = reader.ReadByte("section type");
                var section = new SshWireReader(reader.ReadString("section", krl.Length));
                ReadSection(type, ref section, revoked);
                if (section.Remaining != 0)
                {
                    throw new FormatException($"KRL section {type} has {section.Remaining} unparsed byte(s)");
                }
            }
        }
        catch (KeyFormatException e)
        {
            throw new FormatException($"KRL: {e.Message}", e);
        }
    }

    private static void ReadSection(byte type, ref SshWireReader section, RevocationSet revoked)
    {
        switch (type)
        {
            case KrlWriter.SectionExplicitKey:
                while (section.Remaining > 0)
                {
                    var blob = section.ReadString("revoked key", SshPublicKeyDecoder.MaxBlobBytes);
                    if (blob.Length == 0)
                    {
                        throw new FormatException("KRL explicit key section holds an empty key");
                    }
                    revoked.PlainKeys.Add(blob.ToArray());
                }
                break;
            case SectionFingerprintSha1:
                ReadHashes(ref section, Sha1Length, "SHA1", revoked.Sha1);
                break;
            case KrlWriter.SectionFingerprintSha256:
                ReadHashes(ref section, KrlWriter.Sha256Length, "SHA256", revoked.Sha256);
                break;
            case SectionCertificates:
                SkipCertificates(ref section);
                break;
            case SectionSignature:
                throw new FormatException("KRL carries a signature section, which is not checked here (the file is trusted by its owner and mode): write it with ssh-keygen -k without signing");
            case SectionExtension:
                throw new FormatException("KRL carries an extension section, which may revoke in ways this reader does not know");
            default:
                throw new FormatException($"KRL section type {type} is unknown");
        }
    }

    private static void ReadHashes(ref SshWireReader section, int length, string name, HashSet<byte[]> into)
    {
        while (section.Remaining > 0)
        {
            var hash = section.ReadString($"{name} fingerprint", length);
            if (hash.Length != length)
            {
                throw new FormatException($"KRL {name} fingerprint is {hash.Length} bytes, not {length}");
            }
            into.Add(hash.ToArray());
        }
    }

    /// <summary>krl.c parse_revoked_certs: the CA key, a reserved string, then typed subsections; checked for shape, not kept.</summary>
    private static void SkipCertificates(ref SshWireReader section)
    {
        var ca = section.ReadString("certificate section CA key", SshPublicKeyDecoder.MaxBlobBytes);
        if (ca.Length > 0)
        {
            var type = new SshWireReader(ca).ReadString("CA key type", 64);
            SshPublicKeyDecoder.Decode(System.Text.Encoding.ASCII.GetString(type), Convert.ToBase64String(ca));
        }
        section.ReadString("certificate section reserved", section.Remaining);
        while (section.Remaining > 0)
        {
            byte type = section.ReadByte("certificate subsection type");
            var sub = new SshWireReader(section.ReadString("certificate subsection", section.Remaining));
            switch (type)
            {
                case CertSerialList:
                    while (sub.Remaining > 0)
                    {
                        sub.ReadUInt64("revoked serial");
                    }
                    break;
                case CertSerialRange:
                    sub.ReadUInt64("serial range start");
                    sub.ReadUInt64("serial range end");
                    break;
                case CertSerialBitmap:
                    sub.ReadUInt64("serial bitmap offset");
                    sub.ReadString("serial bitmap", sub.Remaining);
                    break;
                case CertKeyId:
                    while (sub.Remaining > 0)
                    {
                        sub.ReadString("revoked key ID", sub.Remaining);
                    }
                    break;
                default:
                    throw new FormatException($"KRL certificate subsection type 0x{type:x2} is unknown");
            }
            if (sub.Remaining != 0)
            {
                throw new FormatException($"KRL certificate subsection 0x{type:x2} has {sub.Remaining} unparsed byte(s)");
            }
        }
    }
}
