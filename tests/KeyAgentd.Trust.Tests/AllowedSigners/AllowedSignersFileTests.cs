using KeyAgentd.Trust.AllowedSigners;
using KeyAgentd.Trust.Tests.Support;

namespace KeyAgentd.Trust.Tests.AllowedSigners;

public class AllowedSignersFileTests
{
    private static string Ed => SignerKey.Get("ed25519", name: "alice").KeyText;

    private static string Ec => SignerKey.Get("ecdsa", 256, "bob").KeyText;

    [Fact]
    public void Lines_options_comments_and_blank_lines_are_read()
    {
        string text = $"""
            # fleet signers

            alice@example.com,ops-* {Ed} alice's laptop
              bob namespaces="keyagentd-registry,git",valid-after="20260101",valid-before="20270101120000Z" {Ec}
            "carol dave" {Ed}
            """;
        var file = AllowedSignersFile.Parse(text, TimeZoneInfo.Utc);

        Assert.Empty(file.Errors);
        Assert.Equal(3, file.Signers.Count);
        var alice = file.Signers[0];
        Assert.Equal(3, alice.LineNumber);
        Assert.True(alice.Principals.Matches("ops-eu"));
        Assert.Null(alice.Namespaces);
        var bob = file.Signers[1];
        Assert.True(bob.AllowsNamespace("git"));
        Assert.False(bob.AllowsNamespace("file"));
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), bob.ValidAfter);
        Assert.Equal(new DateTimeOffset(2027, 1, 1, 12, 0, 0, TimeSpan.Zero), bob.ValidBefore);
        Assert.Equal("carol dave", file.Signers[2].Principals.Text);
    }

    [Fact]
    public void Times_without_Z_are_in_the_given_zone()
    {
        var plusFive = TimeZoneInfo.CreateCustomTimeZone("plus-five", TimeSpan.FromHours(5), "plus-five", "plus-five");
        var file = AllowedSignersFile.Parse($"alice valid-after=\"202606011200\",valid-before=\"20260601120000Z\" {Ed}\n", plusFive);

        var signer = Assert.Single(file.Signers);
        Assert.Equal(new DateTimeOffset(2026, 6, 1, 7, 0, 0, TimeSpan.Zero), signer.ValidAfter);
        Assert.Equal(new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero), signer.ValidBefore);
    }

    [Fact]
    public void Local_time_agrees_with_ssh_keygen_in_the_same_zone()
    {
        var key = SignerKey.Get("ed25519", name: "alice");
        byte[] message = "x"u8.ToArray();
        byte[] sig = OpenSsh.Sign(key, message);
        string allowed = $"alice valid-after=\"202606011200\" {Ed}\n";
        var plusFive = TimeZoneInfo.CreateCustomTimeZone("plus-five", TimeSpan.FromHours(5), "plus-five", "plus-five");
        var signer = AllowedSignersFile.Parse(allowed, plusFive).Signers[0];
        var edge = new DateTimeOffset(2026, 6, 1, 7, 0, 0, TimeSpan.Zero);

        // POSIX TZ "UTC-5" is five hours east of UTC.
        Assert.True(OpenSsh.Verify(allowed, "alice", sig, message, edge, timeZone: "UTC-5"));
        Assert.False(OpenSsh.Verify(allowed, "alice", sig, message, edge.AddSeconds(-1), timeZone: "UTC-5"));
        Assert.Equal(TrustReason.Accepted, signer.CheckTime(edge));
        Assert.Equal(TrustReason.SignerNotYetValid, signer.CheckTime(edge.AddSeconds(-1)));
    }

    [Theory]
    [InlineData("alice cert-authority {0}", "cert-authority is not supported")]
    [InlineData("alice namespaces=keyagentd-registry {0}", "quoted")]
    [InlineData("alice namespaces=\"a\",namespaces=\"b\" {0}", "multiple \"namespaces\"")]
    [InlineData("alice valid-after=\"2026-01-01\" {0}", "invalid \"valid-after\"")]
    [InlineData("alice valid-after=\"20260230\" {0}", "invalid \"valid-after\"")]
    [InlineData("alice valid-after=\"20270101\",valid-before=\"20260101\" {0}", "before \"valid-after\"")]
    [InlineData("alice no-touch-required {0}", "unknown signature option")]
    [InlineData("alice", "missing key")]
    [InlineData("alice ssh-ed25519 AAAA", "invalid key")]
    [InlineData(",alice {0}", "invalid principals")]
    public void Bad_line_is_reported_with_its_number_and_grants_nothing(string template, string message)
    {
        string line = string.Format(System.Globalization.CultureInfo.InvariantCulture, template, Ed);
        var file = AllowedSignersFile.Parse($"# header\n{line}\nbob {Ec}\n", TimeZoneInfo.Utc);

        var error = Assert.Single(file.Errors);
        Assert.Equal(2, error.LineNumber);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.StartsWith("line 2: ", error.ToString(), StringComparison.Ordinal);
        Assert.Equal("bob", Assert.Single(file.Signers).Principals.Text);
    }

    [Fact]
    public void Certificate_key_is_not_a_signer()
    {
        string cert = SshKeygen.SignUserCertificate(SignerKey.Get("ed25519", name: "alice").PublicLine);
        var file = AllowedSignersFile.Parse($"alice {string.Join(' ', cert.Split(' ')[..2])}\n", TimeZoneInfo.Utc);

        Assert.Contains("certificate", Assert.Single(file.Errors).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("*@example.com,!root@example.com", "alice@example.com", true)]
    [InlineData("*@example.com,!root@example.com", "root@example.com", false)]
    [InlineData("ops-?", "ops-1", true)]
    [InlineData("ops-?", "ops-12", false)]
    [InlineData("Alice", "alice", false)]
    public void Pattern_lists_follow_match_pattern_list(string patterns, string text, bool expected)
    {
        Assert.Equal(expected, new PatternList(patterns).Matches(text));
    }
}
