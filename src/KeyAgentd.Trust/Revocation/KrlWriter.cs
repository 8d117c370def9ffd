using System.Text;
using KeyAgentd.Core.Keys;
using KeyAgentd.Core.Snapshot;
using KeyAgentd.Trust.Wire;

namespace KeyAgentd.Trust.Revocation;

/// <summary>
/// Writes an OpenSSH key revocation list (PROTOCOL.krl), as ssh-keygen -k would for the same
/// revocations: the header, then one KRL_SECTION_CERTIFICATES per CA (certificates revoked by serial
/// and key ID), KRL_SECTION_EXPLICIT_KEY for keys known in full and KRL_SECTION_FINGERPRINT_SHA256 for
/// SHA-256 hashes, each sorted and without duplicates (krl.c ssh_krl_to_blob writes its trees in order
/// and krl_parse refuses unsorted entries).
/// No signature section: sshd trusts the file by its path. The same input gives the same bytes.
/// </summary>
public static class KrlWriter
{
    /// <summary>"SSHKRL\n\0" (krl.h KRL_MAGIC).</summary>
    public const ulong Magic = 0x5353484b524c0a00UL;

    public const uint FormatVersion = 1;

    public const byte SectionCertificates = 1;
    public const byte SectionExplicitKey = 2;
    public const byte SectionFingerprintSha256 = 5;

    public const byte CertSerialList = 0x20;
    public const byte CertSerialRange = 0x21;
    public const byte CertKeyId = 0x23;

    public const int Sha256Length = 32;

    public static byte[] Write(IEnumerable<byte[]> sha256Fingerprints, IEnumerable<SshPublicKey> keys, KrlOptions options) =>
        Write(sha256Fingerprints, keys, [], options);

    /// <param name="sha256Fingerprints">Raw 32-byte SHA-256 hashes of plain key blobs (the bytes behind "SHA256:…").</param>
    /// <param name="keys">Revoked keys known in full; a certificate revokes its certified key.</param>
    /// <param name="certificates">Certificates revoked by serial or key ID, per CA.</param>
    public static byte[] Write(IEnumerable<byte[]> sha256Fingerprints, IEnumerable<SshPublicKey> keys, IEnumerable<RevokedCertificates> certificates, KrlOptions options)
    {
        var hashes = new SortedSet<byte[]>(BlobComparer.Instance);
        foreach (byte[] hash in sha256Fingerprints)
        {
            if (hash.Length != Sha256Length)
            {
                throw new ArgumentException($"a SHA-256 fingerprint is {Sha256Length} bytes, not {hash.Length}", nameof(sha256Fingerprints));
            }
            hashes.Add((byte[])hash.Clone());
        }
        var blobs = new SortedSet<byte[]>(BlobComparer.Instance);
        foreach (var key in keys)
        {
            blobs.Add(key.PlainBlob());
        }

        var krl = new WireWriter();
        krl.UInt64(Magic);
        krl.UInt32(FormatVersion);
        krl.UInt64(options.Version);
        krl.UInt64((ulong)Math.Max(0, options.GeneratedAt.ToUnixTimeSeconds()));
        krl.UInt64(0);
        krl.String([]);
        krl.String(Encoding.UTF8.GetBytes(options.Comment));
        // ssh_krl_to_blob's order: certificates, explicit keys, then SHA-1, then SHA-256 fingerprints.
        foreach (var revoked in RevokedCertificates.Canonical(certificates).OrderBy(c => c.Ca.PlainBlob(), BlobComparer.Instance))
        {
            WriteCertificates(krl, revoked);
        }
        WriteSection(krl, SectionExplicitKey, blobs);
        WriteSection(krl, SectionFingerprintSha256, hashes);
        return krl.ToArray();
    }

    /// <summary>Decodes "SHA256:…" (ssh-keygen -l text) to the 32 raw bytes the KRL holds.</summary>
    public static byte[] Sha256FromFingerprint(string fingerprint)
    {
        if (!Fingerprint.IsSha256(fingerprint))
        {
            throw new FormatException($"\"{fingerprint}\" is not a SHA256 fingerprint");
        }
        return Convert.FromBase64String(fingerprint[7..] + "=");
    }

    /// <summary>
    /// PROTOCOL.krl: the CA key and an empty reserved string, then the single serials as one
    /// CERT_SERIAL_LIST, each true range as a CERT_SERIAL_RANGE, and the key IDs as one CERT_KEY_ID
    /// (krl.c parse_revoked_certs reads any mix; ssh-keygen would sometimes choose a bitmap, which only
    /// saves bytes). Serials and ranges come merged and sorted, key IDs sorted by their bytes.
    /// </summary>
    private static void WriteCertificates(WireWriter krl, RevokedCertificates revoked)
    {
        var section = new WireWriter();
        section.String(revoked.Ca.PlainBlob());
        section.String([]);
        var singles = revoked.Serials.Where(r => r.First == r.Last).ToList();
        if (singles.Count > 0)
        {
            var list = new WireWriter();
            foreach (var serial in singles)
            {
                list.UInt64(serial.First);
            }
            section.Byte(CertSerialList);
            section.String(list.WrittenSpan);
        }
        foreach (var range in revoked.Serials.Where(r => r.First != r.Last))
        {
            var body = new WireWriter();
            body.UInt64(range.First);
            body.UInt64(range.Last);
            section.Byte(CertSerialRange);
            section.String(body.WrittenSpan);
        }
        if (revoked.KeyIds.Count > 0)
        {
            var ids = new WireWriter();
            foreach (byte[] keyId in revoked.KeyIds.Select(Encoding.UTF8.GetBytes).Order(BlobComparer.Instance))
            {
                ids.String(keyId);
            }
            section.Byte(CertKeyId);
            section.String(ids.WrittenSpan);
        }
        krl.Byte(SectionCertificates);
        krl.String(section.WrittenSpan);
    }

    private static void WriteSection(WireWriter krl, byte type, SortedSet<byte[]> entries)
    {
        if (entries.Count == 0)
        {
            return;
        }
        var section = new WireWriter();
        foreach (byte[] entry in entries)
        {
            section.String(entry);
        }
        krl.Byte(type);
        krl.String(section.WrittenSpan);
    }

    /// <summary>krl.c blob_cmp: memcmp over the common length, then the shorter first.</summary>
    private sealed class BlobComparer : IComparer<byte[]>
    {
        public static readonly BlobComparer Instance = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}
