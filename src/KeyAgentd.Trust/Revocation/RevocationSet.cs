namespace KeyAgentd.Trust.Revocation;

/// <summary>
/// What a revoked signers file names, in the three forms a KRL holds them (krl.c's revoked_keys,
/// revoked_sha1s and revoked_sha256s trees): plain key blobs, and SHA-1 and SHA-256 hashes of plain
/// key blobs. Filled by the text and KRL readers, then frozen into <see cref="RevokedSigners"/>.
/// </summary>
internal sealed class RevocationSet
{
    public HashSet<byte[]> PlainKeys { get; } = new(BlobComparer.Instance);

    public HashSet<byte[]> Sha1 { get; } = new(BlobComparer.Instance);

    public HashSet<byte[]> Sha256 { get; } = new(BlobComparer.Instance);

    /// <summary>Byte-wise equality for hash sets of blobs.</summary>
    private sealed class BlobComparer : IEqualityComparer<byte[]>
    {
        public static readonly BlobComparer Instance = new();

        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj)
        {
            var hash = new HashCode();
            hash.AddBytes(obj);
            return hash.ToHashCode();
        }
    }
}
