namespace KeyAgentd.Core.Keys;

/// <summary>
/// A decoded, validated public key (or certificate): immutable, compared byte-wise by blob.
/// Fingerprints are computed over the plain key blob, as ssh-keygen does (for a certificate,
/// that is the certified key, not the certificate).
/// </summary>
public sealed class SshPublicKey : IEquatable<SshPublicKey>
{
    private readonly byte[] _blob;
    private readonly int _plainFieldsStart;
    private readonly int _plainFieldsLength;
    // The SHA-256 of the plain blob, kept as its 32 bytes rather than its 50-character text: a host
    // holds one key per grant (50,000 for 10,000 accounts × 5), and the renderer orders them by it.
    private DigestBytes _sha256;
    private bool _sha256Known;

    internal SshPublicKey(SshKeyType type, byte[] blob, int bits, string? application, int plainFieldsStart, int plainFieldsLength, SshCertificateInfo? certificate,
        string? blobTypeAlias = null)
    {
        BlobTypeAlias = blobTypeAlias;
        Type = type;
        _blob = blob;
        Bits = bits;
        Application = application;
        _plainFieldsStart = plainFieldsStart;
        _plainFieldsLength = plainFieldsLength;
        Certificate = certificate;
    }

    public SshKeyType Type { get; }

    public string TypeName => Type.Name;

    /// <summary>Key size as ssh-keygen reports it: RSA/DSA modulus bits, the curve size, 256 for Ed25519.</summary>
    public int Bits { get; }

    /// <summary>The FIDO application string of a security-key type ("ssh:" by default), else null.</summary>
    public string? Application { get; }

    public SshCertificateInfo? Certificate { get; }

    /// <summary>
    /// The RSA signature algorithm name ("rsa-sha2-256"…) the blob carried as its own type, which
    /// sshd reads as ssh-rsa; null when the blob named its type. <see cref="Blob"/> is already the
    /// ssh-rsa framing, so equality and fingerprints are those of the key sshd sees.
    /// </summary>
    public string? BlobTypeAlias { get; }

    public ReadOnlySpan<byte> Blob => _blob;

    public string Base64 => Convert.ToBase64String(_blob);

    /// <summary>The blob of the key itself: for a certificate, the certified key re-framed as a plain key.</summary>
    public byte[] PlainBlob()
    {
        if (!Type.IsCertificate)
        {
            return (byte[])_blob.Clone();
        }
        int nameLength = Type.PlainName.Length;
        var plain = new byte[4 + nameLength + _plainFieldsLength];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(plain, (uint)nameLength);
        System.Text.Encoding.ASCII.GetBytes(Type.PlainName, plain.AsSpan(4));
        _blob.AsSpan(_plainFieldsStart, _plainFieldsLength).CopyTo(plain.AsSpan(4 + nameLength));
        return plain;
    }

    /// <summary>"SHA256:" followed by unpadded base64, as ssh-keygen -l prints.</summary>
    public string Sha256Fingerprint => Fingerprint.Sha256Text(Sha256Digest());

    /// <summary>
    /// Orders by <see cref="Sha256Fingerprint"/> as <see cref="StringComparer.Ordinal"/> orders the
    /// texts (the order authorized_keys files are written in), from the cached digests.
    /// </summary>
    public int CompareSha256Fingerprint(SshPublicKey other) =>
        Fingerprint.CompareSha256Text(Sha256Digest(), other.Sha256Digest());

    private ReadOnlySpan<byte> Sha256Digest()
    {
        // Racing threads compute the same bytes; the flag is published after them, so a reader that
        // sees it set also sees the digest.
        if (!Volatile.Read(ref _sha256Known))
        {
            System.Security.Cryptography.SHA256.HashData(Type.IsCertificate ? PlainBlob() : _blob, _sha256);
            Volatile.Write(ref _sha256Known, true);
        }
        return _sha256;
    }

    [System.Runtime.CompilerServices.InlineArray(32)]
    private struct DigestBytes
    {
        private byte _first;
    }

    /// <summary>"MD5:aa:bb:…", as ssh-keygen -l -E md5 prints.</summary>
    public string Md5Fingerprint => Fingerprint.Md5(Type.IsCertificate ? PlainBlob() : _blob);

    // A public key is no secret, so no constant-time comparison: SequenceEqual stops at the first
    // differing byte and is vectorised. Planning compares every desired key with every current one,
    // and FixedTimeEquals was 5 % of a no-change 10,000-account cycle (perf, README Benchmarks).
    public bool Equals(SshPublicKey? other) =>
        other is not null && _blob.AsSpan().SequenceEqual(other._blob);

    public override bool Equals(object? obj) => Equals(obj as SshPublicKey);

    public override int GetHashCode()
    {
        // Hashes the blob itself (its first 64 bytes and its length), not the fingerprint, which would
        // cost a SHA-256 per key. 64 bytes already reach past the type name into the key material
        // (or a certificate's random nonce), so distinct keys rarely collide; Equals compares it all.
        var hash = new HashCode();
        hash.AddBytes(_blob.AsSpan(0, Math.Min(_blob.Length, 64)));
        hash.Add(_blob.Length);
        return hash.ToHashCode();
    }

    public override string ToString() => $"{TypeName} {Sha256Fingerprint}";
}
