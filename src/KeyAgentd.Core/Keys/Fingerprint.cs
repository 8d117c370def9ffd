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

    /// <summary>The SHA256 fingerprint text of a digest computed earlier (see <see cref="SshPublicKey"/>, which keeps only the 32 bytes).</summary>
    public static string Sha256Text(ReadOnlySpan<byte> digest)
    {
        // 32 bytes → 44 base64 chars with one '=' of padding, which ssh-keygen strips.
        Span<char> text = stackalloc char[7 + 44];
        "SHA256:".CopyTo(text);
        Convert.TryToBase64Chars(digest, text[7..], out int written);
        return new string(text[..(7 + written - 1)]);
    }

    /// <summary>
    /// Orders two SHA-256 digests exactly as <see cref="StringComparer.Ordinal"/> orders their
    /// fingerprint texts, without making the texts. Base64's alphabet (A–Z, a–z, 0–9, +, /) is not
    /// in ASCII order, so the digests' bytes alone would sort differently: each 6-bit group is
    /// compared as the character it is written as. The texts all have the same length, so the first
    /// differing character decides, as it does for the strings.
    /// </summary>
    public static int CompareSha256Text(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        int differ = left.CommonPrefixLength(right);
        if (differ >= 32)
        {
            return 0;
        }
        // Start at the group holding the first differing bit's byte; earlier groups are equal.
        for (int group = differ * 8 / 6; group < Sha256TextGroups; group++)
        {
            int a = Base64Alphabet[SixBits(left, group)], b = Base64Alphabet[SixBits(right, group)];
            if (a != b)
            {
                return a - b;
            }
        }
        return 0;
    }

    // 256 bits in 6-bit groups: 42 whole groups and a 43rd holding the last 4 bits (padded with
    // zeros, as base64 does); the '=' that would follow is what ssh-keygen strips.
    private const int Sha256TextGroups = 43;

    private const string Base64Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    private static int SixBits(ReadOnlySpan<byte> digest, int group)
    {
        int bit = group * 6;
        int index = bit / 8;
        int window = (digest[index] << 8) | (index + 1 < digest.Length ? digest[index + 1] : 0);
        return (window >> (10 - bit % 8)) & 0x3F;
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
