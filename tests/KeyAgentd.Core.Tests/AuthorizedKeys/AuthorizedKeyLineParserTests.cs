using KeyAgentd.Core.AuthorizedKeys;
using KeyAgentd.Core.Policy;

namespace KeyAgentd.Core.Tests.AuthorizedKeys;

/// <summary>sshd's authorized_keys line grammar.</summary>
public class AuthorizedKeyLineParserTests
{
    private static readonly string Ed = SshKeygen.Generate("ed25519", comment: "alice@laptop");
    private static readonly string EdKey = string.Join(' ', Ed.Split(' ')[..2]);

    [Theory]
    [InlineData("")]
    [InlineData("   \t ")]
    public void Blank_lines_are_blank(string line) => Assert.Equal(AuthorizedKeyLineKind.Blank, AuthorizedKeyLineParser.Parse(line).Kind);

    [Theory]
    [InlineData("# a comment")]
    [InlineData("   #indented comment")]
    public void Hash_lines_are_comments(string line) => Assert.Equal(AuthorizedKeyLineKind.Comment, AuthorizedKeyLineParser.Parse(line).Kind);

    [Fact]
    public void Bare_key_with_comment_keeps_the_comment_byte_exact()
    {
        var line = AuthorizedKeyLineParser.Parse($"  {EdKey}   two  spaces\tand tab  ");
        Assert.True(line.IsKey);
        Assert.Equal("two  spaces\tand tab  ", line.Comment);
        Assert.Empty(line.Options);
    }

    [Fact]
    public void Key_without_comment_has_null_comment()
    {
        var line = AuthorizedKeyLineParser.Parse(EdKey);
        Assert.True(line.IsKey);
        Assert.Null(line.Comment);
    }

    [Fact]
    public void Crlf_line_is_read_as_if_it_were_lf()
    {
        var line = AuthorizedKeyLineParser.Parse(Ed + "\r");
        Assert.True(line.IsKey);
        Assert.Equal("alice@laptop", line.Comment);
        Assert.Equal(Ed, line.Raw);
    }

    [Fact]
    public void Crlf_file_parses_every_line()
    {
        var lines = AuthorizedKeyLineParser.ParseAll($"{Ed}\r\n# c\r\nno-pty {Ed}\r\n");
        Assert.Equal([AuthorizedKeyLineKind.Key, AuthorizedKeyLineKind.Comment, AuthorizedKeyLineKind.Key], lines.Select(l => l.Kind));
        Assert.Equal([1, 2, 3], lines.Select(l => l.LineNumber));
    }

    [Fact]
    public void Options_with_quoted_commas_and_spaces_precede_the_key()
    {
        var line = AuthorizedKeyLineParser.Parse($"command=\"echo a, b \\\"c\\\"\",FROM=\"10.0.0.0/8, 192.168.1.*\",No-Pty {Ed}");
        Assert.True(line.IsKey, line.ErrorMessage);
        Assert.Equal(
            [new KeyOption("command", "echo a, b \"c\""), new KeyOption("from", "10.0.0.0/8, 192.168.1.*"), KeyOption.Flag("no-pty")],
            line.Options);
        Assert.Equal("alice@laptop", line.Comment);
    }

    [Fact]
    public void Rendered_line_round_trips()
    {
        var line = AuthorizedKeyLineParser.Parse($"restrict,pty,expiry-time=\"20300101Z\",environment=\"A=b c\" {Ed}");
        var again = AuthorizedKeyLineParser.Parse(line.Render());
        Assert.Equal(line.Options, again.Options);
        Assert.Equal(line.Key, again.Key);
        Assert.Equal(line.Comment, again.Comment);
        Assert.Equal(line.Render(), again.Render());
    }

    [Theory]
    [InlineData("no-pty,", "unexpected end-of-options")]
    [InlineData("bogus", "unsupported option")]
    [InlineData("command=noquote", "missing start quote")]
    [InlineData("command=\"a\",command=\"b\"", "multiple \"command\" clauses")]
    [InlineData("expiry-time=\"2030\"", "invalid expires time")]
    [InlineData("environment=\"NOEQUALS\"", "invalid environment string")]
    [InlineData("environment=\"BAD-NAME=x\"", "invalid environment string")]
    [InlineData("permitopen=\"host\"", "missing host in permitopen")]
    [InlineData("permitopen=\"host:99999\"", "invalid permission port")]
    [InlineData("tunnel=\"x\"", "invalid tun device")]
    [InlineData("no-ptyx", "unknown key option")]
    public void Malformed_options_are_named_like_sshd_names_them(string options, string message)
    {
        var line = AuthorizedKeyLineParser.Parse($"{options} {Ed}");
        Assert.Equal(ReasonCode.MalformedOptions, line.Error);
        Assert.Contains(message, line.ErrorMessage);
        Assert.NotNull(line.Key);
    }

    [Fact]
    public void Unterminated_quote_swallows_the_key_like_sshd()
    {
        var line = AuthorizedKeyLineParser.Parse($"command=\"oops {Ed}");
        Assert.False(line.IsKey);
        Assert.Null(line.Key);
        Assert.Equal(ReasonCode.MalformedOptions, line.Error);
        Assert.Contains("missing end quote", line.ErrorMessage);
    }

    [Fact]
    public void Unknown_type_before_a_blob_is_named_as_a_type()
    {
        var line = AuthorizedKeyLineParser.Parse("ssh-foo " + Ed.Split(' ')[1]);
        Assert.Equal(ReasonCode.UnknownKeyType, line.Error);
    }

    [Theory]
    [InlineData("\0")]
    [InlineData("\u001b[31m")]
    [InlineData("\r")]
    public void Control_characters_inside_a_line_are_refused(string control)
    {
        var line = AuthorizedKeyLineParser.Parse($"{EdKey} evil{control}comment");
        Assert.Equal(ReasonCode.ControlCharacter, line.Error);
    }

    [Fact]
    public void Type_without_blob_is_missing_key()
    {
        Assert.Equal(ReasonCode.MissingKey, AuthorizedKeyLineParser.Parse("ssh-ed25519").Error);
        Assert.Equal(ReasonCode.MissingKey, AuthorizedKeyLineParser.Parse("no-pty").Error);
    }

    [Theory]
    [InlineData("-----BEGIN OPENSSH PRIVATE KEY-----", ReasonCode.PrivateKey)]
    [InlineData("-----BEGIN RSA PRIVATE KEY-----", ReasonCode.PrivateKey)]
    [InlineData("PuTTY-User-Key-File-3: ssh-ed25519", ReasonCode.PrivateKey)]
    [InlineData("---- BEGIN SSH2 PUBLIC KEY ----", ReasonCode.NeedsConversion)]
    public void Pasted_private_keys_and_putty_blocks_are_named(string text, ReasonCode reason) =>
        Assert.Equal(reason, AuthorizedKeyLineParser.Parse(text).Error);

    [Fact]
    public void Over_long_line_is_refused_without_parsing()
    {
        Assert.Equal(ReasonCode.LineTooLong, AuthorizedKeyLineParser.Parse(new string('A', AuthorizedKeyLineParser.MaxLineLength + 1)).Error);
    }

    [Theory]
    [InlineData("rsa-sha2-256", "ssh-rsa")]
    [InlineData("rsa-sha2-512", "ssh-rsa")]
    public void An_rsa_signature_algorithm_as_the_type_token_keeps_the_key_and_offers_the_ssh_rsa_line(string token, string canonical)
    {
        string rsa = SshKeygen.Generate("rsa", 2048, comment: "c");
        string blob = rsa.Split(' ')[1];

        var line = AuthorizedKeyLineParser.Parse($"  no-pty,from=\"a b\" {token} {blob} my  comment");

        Assert.False(line.IsKey);
        Assert.Equal(ReasonCode.NeedsConversion, line.Error);
        Assert.Contains(token, line.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal(token, line.KeyType);
        Assert.Equal(canonical, line.Key!.TypeName);
        Assert.Equal("my  comment", line.Comment);
        Assert.Equal($"no-pty,from=\"a b\" {canonical} {blob} my  comment", line.Suggestion);
        Assert.Equal(ReasonCode.TypeMismatch, AuthorizedKeyLineParser.Parse($"{token} {SshKeygen.Generate("ed25519").Split(' ')[1]}").Error);
    }
}
