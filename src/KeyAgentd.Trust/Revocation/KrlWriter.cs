using System.Text;
using KeyAgentd.Core.Keys;
using KeyAgentd.Trust.Wire;

namespace KeyAgentd.Trust.Revocation;

/// <summary>
/// Writes an OpenSSH key revocation list (PROTOCOL.krl), as ssh-keygen -k would for the same
/// revocations: the header, then KRL_SECTION_EXPLICIT_KEY for keys known in full and
/// KRL_SECTION_FINGERPRINT_SHA256 for SHA-256 hashes, each sorted and without duplicates
/// (krl.c ssh_krl_to_blob writes its trees in order and krl_parse refuses unsorted entries).
/// No signature section: sshd trusts the file by its path. The same input gives the same bytes.
/// </summary>
public static class KrlWriter
{
    /// <summary>"SSHKRL\n\0" (krl.h KRL_MAGIC).</summary>
    public const ulong Magic = 0x5353484b524c0a00UL;

    public const uint FormatVersion = 1;

    public const byte SectionExplicitKey = 2;
    public const byte SectionFingerprintSha256 = 5;

    public const int Sha256Length = 32;

    /// <param name="sha256Fingerprints">Raw 32-byte SHA-256 hashes of plain key blobs (the bytes behind "SHA256:…").</param>
    /// <param name="keys">Revoked keys known in full; a certificate revokes its certified key.</param>
    public static byte[] Write(IEnumerable<byte[]> sha256Fingerprints, IEnumerable<SshPublicKey> keys, KrlOptions options)
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
        // ssh_krl_to_blob's order: explicit keys, then SHA-1, then SHA-256 fingerprints.
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
