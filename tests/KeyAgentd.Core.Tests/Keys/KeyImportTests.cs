using KeyAgentd.Core.AuthorizedKeys;
using KeyAgentd.Core.Keys;
using KeyAgentd.Core.Policy;

namespace KeyAgentd.Core.Tests.Keys;

/// <summary>The shapes people paste instead of one OpenSSH line.</summary>
public class KeyImportTests
{
    [Theory]
    [InlineData("ed25519", 0)]
    [InlineData("rsa", 4096)]
    [InlineData("ecdsa", 521)]
    public void Rfc4716_export_of_ssh_keygen_converts_back_to_the_same_key(string type, int bits)
    {
        string original = SshKeygen.Generate(type, bits);
        string exported = SshKeygen.ExportRfc4716(original);

        string converted = KeyImport.Normalize(exported);

        var parsed = AuthorizedKeyLineParser.Parse(converted);
        Assert.True(parsed.IsKey, converted);
        Assert.Equal(original.Split(' ')[1], parsed.Key!.Base64);
        Assert.Contains("converted by", parsed.Comment);
    }

    [Fact]
    public void PuTTYgen_block_with_continued_header_and_crlf_converts()
    {
        string original = SshKeygen.Generate("rsa", 2048);
        string b64 = original.Split(' ')[1];
        var body = string.Join("\r\n", b64.Chunk(64).Select(c => new string(c)));
        string block = "---- BEGIN SSH2 PUBLIC KEY ----\r\nx-note: this header is \\\r\ncontinued\r\nComment: \"rsa-key-20261121\"\r\n" + body + "\r\n---- END SSH2 PUBLIC KEY ----\r\n";

        Assert.Equal($"ssh-rsa {b64} rsa-key-20261121", KeyImport.Normalize(block));
    }

    [Fact]
    public void Key_wrapped_over_lines_is_joined()
    {
        string original = SshKeygen.Generate("rsa", 3072, comment: "bob@laptop");
        string b64 = original.Split(' ')[1];
        string wrappedBlob = "ssh-rsa " + string.Join("\n", b64.Chunk(60).Select(c => new string(c))) + " bob@laptop";

        Assert.Equal(original, KeyImport.Normalize(wrappedBlob));
    }

    [Fact]
    public void Two_keys_on_two_lines_are_never_merged()
    {
        string a = SshKeygen.Generate("ed25519", comment: "a");
        string b = SshKeygen.Generate("ed25519", comment: "b", cached: false);
        string text = a + "\n" + b;

        string result = KeyImport.Normalize(text);

        Assert.Equal(text, result);
        Assert.Equal(ReasonCode.ControlCharacter, AuthorizedKeyLineParser.Parse(result).Error);
    }

    [Fact]
    public void A_file_with_a_putty_block_reports_one_entry_with_the_fix()
    {
        string original = SshKeygen.Generate("ed25519", comment: "x");
        string file = original + "\n" + SshKeygen.ExportRfc4716(original) + original + "\n";

        var lines = AuthorizedKeysFile.Read(file);

        Assert.Equal(3, lines.Count(l => l.Kind != AuthorizedKeyLineKind.Blank));
        var block = lines.Single(l => l.Error == ReasonCode.NeedsConversion);
        Assert.Equal(2, block.LineNumber);
        Assert.Equal(original.Split(' ')[1], block.Suggestion!.Split(' ')[1]);
        Assert.Equal(2 + block.PhysicalLines, lines.Last(l => l.IsKey).LineNumber);
    }

    [Theory]
    [InlineData("rsa-sha2-256")]
    [InlineData("rsa-sha2-512")]
    public void A_signature_algorithm_as_the_type_token_is_normalised_to_ssh_rsa(string token)
    {
        string rsa = SshKeygen.Generate("rsa", 2048, comment: "rsa-sha2-256 in the comment stays");
        Assert.Equal("from=\"10.0.0.0/8\" " + rsa, KeyImport.Normalize($"from=\"10.0.0.0/8\" {token} {rsa[(rsa.IndexOf(' ', StringComparison.Ordinal) + 1)..]}\n"));
        Assert.Equal(rsa, KeyImport.Normalize(rsa));
    }
}
