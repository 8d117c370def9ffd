using KeyAgentd.Core.Keys;

namespace KeyAgentd.Core.Tests.Keys;

public class FingerprintTests
{
    [Fact]
    public void Sha256_is_unpadded_base64_with_prefix()
    {
        string fp = Fingerprint.Sha256([1, 2, 3]);
        Assert.StartsWith("SHA256:", fp);
        Assert.Equal(50, fp.Length);
        Assert.DoesNotContain("=", fp);
        Assert.True(Fingerprint.IsSha256(fp));
    }

    [Fact]
    public void Md5_is_colon_separated_lower_hex()
    {
        Assert.Matches("^MD5:([0-9a-f]{2}:){15}[0-9a-f]{2}$", Fingerprint.Md5([1, 2, 3]));
    }

    [Theory]
    [InlineData("")]
    [InlineData("SHA256:short")]
    [InlineData("MD5:aa:bb")]
    [InlineData("SHA256:../../../../etc/passwd/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    public void Non_fingerprints_are_recognised(string text) => Assert.False(Fingerprint.IsSha256(text));

    [Fact]
    public void Digests_compare_as_their_fingerprint_texts_compare_ordinally()
    {
        var random = new Random(2026);
        var left = new byte[32];
        var right = new byte[32];
        for (int i = 0; i < 200_000; i++)
        {
            random.NextBytes(left);
            left.CopyTo(right, 0);
            // Mostly near misses: a shared prefix of any length, then one random difference (or none),
            // so every character position and the short last group are reached.
            int at = random.Next(33);
            if (at < 32)
            {
                right[at] = (byte)random.Next(256);
                random.NextBytes(right.AsSpan(at + 1));
            }
            int expected = Math.Sign(string.CompareOrdinal(Fingerprint.Sha256Text(left), Fingerprint.Sha256Text(right)));
            Assert.Equal(expected, Math.Sign(Fingerprint.CompareSha256Text(left, right)));
        }
    }
}
