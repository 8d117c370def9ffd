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
}
