using System.Buffers;
using System.Security.Cryptography;

namespace KeyAgentd.Trust.Signatures;

/// <summary>
/// H(message) for the hashes a signature file asks for, computed in one streaming pass so a large
/// snapshot is read once and never held twice. SHA-256 is always computed: the audit record names
/// the snapshot by it.
/// </summary>
public sealed class MessageDigest
{
    private const int BufferBytes = 128 * 1024;

    private readonly byte[] _sha256;
    private readonly byte[]? _sha512;

    private MessageDigest(byte[] sha256, byte[]? sha512)
    {
        _sha256 = sha256;
        _sha512 = sha512;
    }

    public ReadOnlySpan<byte> Sha256 => _sha256;

    public string Sha256Hex => Convert.ToHexStringLower(_sha256);

    public ReadOnlySpan<byte> Get(SshSignatureHash hash) => hash switch
    {
        SshSignatureHash.Sha256 => _sha256,
        SshSignatureHash.Sha512 => _sha512 ?? throw new InvalidOperationException("SHA-512 of the message was not computed"),
        _ => throw new ArgumentOutOfRangeException(nameof(hash)),
    };

    public static MessageDigest Compute(ReadOnlySpan<byte> message, bool sha512 = true) =>
        new(SHA256.HashData(message), sha512 ? SHA512.HashData(message) : null);

    public static MessageDigest Compute(Stream message, bool sha512 = true)
    {
        using var h256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var h512 = sha512 ? IncrementalHash.CreateHash(HashAlgorithmName.SHA512) : null;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(BufferBytes);
        try
        {
            int read;
            while ((read = message.Read(buffer, 0, BufferBytes)) > 0)
            {
                h256.AppendData(buffer, 0, read);
                h512?.AppendData(buffer, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return new MessageDigest(h256.GetHashAndReset(), h512?.GetHashAndReset());
    }
}
