using System.Security.Cryptography;
using KeyAgentd.Core.Keys;

namespace KeyAgentd.Core.Tests.Keys;

/// <summary>The managed SHA-256 agrees with the framework's (OpenSSL) on every length around the block boundaries and at random.</summary>
public class ManagedSha256Tests
{
    [Fact]
    public void Known_answers_from_fips_180()
    {
        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Hex(""u8));
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", Hex("abc"u8));
        Assert.Equal("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1", Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"u8));
    }

    [Fact]
    public void Agrees_with_the_framework_on_every_length_up_to_300_and_random_inputs()
    {
        var random = new Random(256);
        for (int length = 0; length < 300; length++)
        {
            AssertSame(RandomBytes(random, length));
        }
        for (int trial = 0; trial < 2000; trial++)
        {
            AssertSame(RandomBytes(random, random.Next(0, 5000)));
        }
    }

    /// <summary>
    /// A million random messages of 0–1,000 bytes (every block count and padding split a key blob can
    /// have), compared digest for digest with the framework's OpenSSL-backed SHA256.HashData.
    /// </summary>
    [Fact]
    public void Agrees_with_the_framework_on_a_million_random_inputs_of_up_to_1000_bytes()
    {
        const int Inputs = 1_000_000, Chunks = 16;
        int mismatches = 0;
        Parallel.For(0, Chunks, chunk =>
        {
            var random = new Random(1_000 + chunk);
            byte[] data = new byte[1000];
            Span<byte> ours = stackalloc byte[32], theirs = stackalloc byte[32];
            for (int i = 0; i < Inputs / Chunks; i++)
            {
                int length = random.Next(0, 1001);
                random.NextBytes(data.AsSpan(0, length));
                ManagedSha256.Hash(data.AsSpan(0, length), ours);
                SHA256.HashData(data.AsSpan(0, length), theirs);
                if (!ours.SequenceEqual(theirs))
                {
                    Interlocked.Increment(ref mismatches);
                }
            }
        });
        Assert.Equal(0, mismatches);
    }

    private static void AssertSame(byte[] data)
    {
        var ours = new byte[32];
        ManagedSha256.Hash(data, ours);
        Assert.Equal(SHA256.HashData(data), ours);
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var data = new byte[length];
        random.NextBytes(data);
        return data;
    }

    private static string Hex(ReadOnlySpan<byte> data)
    {
        var digest = new byte[32];
        ManagedSha256.Hash(data, digest);
        return Convert.ToHexStringLower(digest);
    }
}
