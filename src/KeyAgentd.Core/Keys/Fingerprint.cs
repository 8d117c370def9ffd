using System.Security.Cryptography;

namespace KeyAgentd.Core.Keys;

/// <summary>Fingerprint text exactly as ssh-keygen prints it (sshkey_fingerprint with SSH_FP_DEFAULT/SSH_FP_HEX).</summary>
public static class Fingerprint
{
    /// <summary>
    /// SHA256.HashData (OpenSSL, with the CPU's SHA extensions): over the blobs of a 100,000-key workload
    /// it is 1.8–2.5× faster than the managed SHA-256 (bench/primitives.sh, docs/benchmarks.md).
    /// </summary>
    public static string Sha256(ReadOnlySpan<byte> plainBlob)
    {
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(plainBlob, digest);
        return Sha256Text(digest);
    }

    /// <summary>
    /// The same text through <see cref="ManagedSha256"/>, for keyagentd-keys: one process per login
    /// that hashes a handful of keys, where loading OpenSSL on the first SHA256.HashData (22–79 ms in
    /// bench/primitives.sh) costs more than all of them.
    /// </summary>
    public static string Sha256WithoutOpenSsl(ReadOnlySpan<byte> plainBlob)
    {
        Span<byte> digest = stackalloc byte[32];
        ManagedSha256.Hash(plainBlob, digest);
        return Sha256Text(digest);
    }

    private static string Sha256Text(ReadOnlySpan<byte> digest)
    {
        // 32 bytes → 44 base64 chars with one '=' of padding, which ssh-keygen strips.
        Span<char> text = stackalloc char[7 + 44];
        "SHA256:".CopyTo(text);
        Convert.TryToBase64Chars(digest, text[7..], out int written);
        return new string(text[..(7 + written - 1)]);
    }

    public static string Md5(ReadOnlySpan<byte> plainBlob)
    {
        Span<byte> digest = stackalloc byte[16];
#pragma warning disable CA5351 // MD5 is only an identifier here, for parity with ssh-keygen -E md5.
        MD5.HashData(plainBlob, digest);
#pragma warning restore CA5351
        return "MD5:" + Convert.ToHexStringLower(digest).Chunk(2).Select(c => new string(c)).Aggregate((a, b) => a + ":" + b);
    }

    /// <summary>True if <paramref name="text"/> has the shape of a SHA256 fingerprint (as sshd passes %f).</summary>
    public static bool IsSha256(string text) =>
        text.Length == 50 && text.StartsWith("SHA256:", StringComparison.Ordinal) &&
        text.AsSpan(7).IndexOfAnyExcept(Base64Chars) < 0;

    private static readonly System.Buffers.SearchValues<char> Base64Chars =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");
}
