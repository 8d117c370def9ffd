using System.Runtime.InteropServices;
using System.Security.Cryptography;
using KeyAgentd.Core.Keys;
using Org.BouncyCastle.Math.EC.Rfc8032;

namespace KeyAgentd.RegistrySource.Signing;

/// <summary>
/// An Ed25519 private key held in this process: the 32-byte seed in a pinned array (the GC never
/// leaves a moved copy of it behind), zeroed on <see cref="Dispose"/>. Ed25519 is deterministic
/// (RFC 8032), so a signature made here is the very bytes ssh-keygen or ssh-agent would make.
/// </summary>
internal sealed class Ed25519PrivateKey : IDisposable
{
    public const int SeedBytes = 32;
    public const int PointBytes = 32;
    public const int SignatureBytes = 64;

    private readonly byte[] _seed = GC.AllocateArray<byte>(SeedBytes, pinned: true);
    private readonly byte[] _point = new byte[PointBytes];
    private bool _disposed;

    /// <param name="seed">the private seed; copied, the caller zeroes its own copy</param>
    /// <param name="point">the public point the key file claims; must be the seed's</param>
    /// <exception cref="SigningKeyException">The point is not the seed's public key.</exception>
    public Ed25519PrivateKey(ReadOnlySpan<byte> seed, ReadOnlySpan<byte> point, SshPublicKey publicKey, string path)
    {
        seed.CopyTo(_seed);
        Ed25519.GeneratePublicKey(_seed, 0, _point, 0);
        if (!CryptographicOperations.FixedTimeEquals(_point, point))
        {
            Dispose();
            // A key whose two halves disagree would sign as a key nobody listed: refused, never "fixed".
            throw new SigningKeyException(SigningKeyRefusal.Malformed, $"{path}: its public half is not the public key of its private half");
        }
        PublicKey = publicKey;
    }

    public SshPublicKey PublicKey { get; }

    /// <summary>The raw 64-byte signature over <paramref name="data"/>. Safe to call from several threads at once.</summary>
    public byte[] Sign(byte[] data)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var signature = new byte[SignatureBytes];
        Ed25519.Sign(_seed, 0, _point, 0, data, 0, data.Length, signature, 0);
        return signature;
    }

    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(_seed);
        _disposed = true;
    }
}
