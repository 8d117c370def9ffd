using System.Text;
using KeyAgentd.Trust.Signatures;
using KeyAgentd.Trust.Tests.Support;

namespace KeyAgentd.Trust.Tests.Signatures;

public class SshSignatureArmorTests
{
    private static readonly byte[] Message = "registry"u8.ToArray();

    private static byte[] SigFileOf(string name = "a") => OpenSsh.Sign(SignerKey.Get("ed25519", name: name), Message);

    [Fact]
    public void Several_blocks_in_one_file_are_read_in_order()
    {
        byte[] first = SigFileOf("a"), second = SigFileOf("b");
        var blocks = SshSignatureArmor.Decode(SigFile.Concat(first, "\n"u8.ToArray(), second));

        Assert.Equal(2, blocks.Count);
        Assert.Equal(SigFile.Blob(first), blocks[0]);
        Assert.Equal(SigFile.Blob(second), blocks[1]);
    }

    [Fact]
    public void Crlf_line_ends_are_read()
    {
        byte[] crlf = Encoding.ASCII.GetBytes(Encoding.ASCII.GetString(SigFileOf()).Replace("\n", "\r\n", StringComparison.Ordinal));

        Assert.Single(SshSignatureArmor.Decode(crlf));
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n\n")]
    public void Empty_file_has_no_blocks(string text)
    {
        Assert.Empty(SshSignatureArmor.Decode(Encoding.ASCII.GetBytes(text)));
    }

    [Fact]
    public void Truncated_armor_is_malformed()
    {
        byte[] file = SigFileOf();
        foreach (int cut in new[] { 10, file.Length / 2, file.Length - 10 })
        {
            var ex = Assert.Throws<SignatureFormatException>(() => SshSignatureArmor.Decode(file.AsSpan(0, cut)));
            Assert.Equal(TrustReason.SignatureMalformed, ex.Reason);
        }
    }

    [Theory]
    [InlineData("text before\n{0}")]
    [InlineData("{0}text after\n")]
    [InlineData("-----BEGIN SSH SIGNATURE-----\n-----END SSH SIGNATURE-----\n")]
    [InlineData("-----BEGIN SSH SIGNATURE-----\nU1NIU0lH AAAA\n-----END SSH SIGNATURE-----\n")]
    [InlineData("-----BEGIN SSH SIGNATURE-----\nU1NIU0lHAB==\n-----END SSH SIGNATURE-----\n")]
    [InlineData("-----BEGIN SIGNATURE-----\nU1NIU0lH\n-----END SIGNATURE-----\n")]
    public void Anything_but_armor_is_malformed(string template)
    {
        string text = string.Format(System.Globalization.CultureInfo.InvariantCulture, template, Encoding.ASCII.GetString(SigFileOf()));

        var ex = Assert.Throws<SignatureFormatException>(() => SshSignatureArmor.Decode(Encoding.ASCII.GetBytes(text)));
        Assert.Equal(TrustReason.SignatureMalformed, ex.Reason);
    }

    [Fact]
    public void Blank_line_inside_a_block_is_malformed()
    {
        string text = Encoding.ASCII.GetString(SigFileOf());
        int second = text.IndexOf('\n', text.IndexOf('\n', StringComparison.Ordinal) + 1);

        Assert.Throws<SignatureFormatException>(() => SshSignatureArmor.Decode(Encoding.ASCII.GetBytes(text.Insert(second + 1, "\n"))));
    }

    [Fact]
    public void Oversized_file_and_too_many_blocks_are_malformed()
    {
        byte[] one = SigFileOf();
        var tooMany = SigFile.Concat(Enumerable.Repeat(one, SshSignatureArmor.MaxBlocks + 1).ToArray());

        Assert.Throws<SignatureFormatException>(() => SshSignatureArmor.Decode(tooMany));
        Assert.Throws<SignatureFormatException>(() => SshSignatureArmor.Decode(new byte[SshSignatureArmor.MaxFileBytes + 1]));
    }
}
