using KeyAgentd.Core.AuthorizedKeys;
using KeyAgentd.Core.HelperCache;

namespace KeyAgentd.Core.Tests.HelperCache;

/// <summary>The AuthorizedPrincipalsFile lines derived from an account's cert-authority lines.</summary>
public class PrincipalLinesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);
    private static string Ca => SshKeygen.Generate("ed25519", 0, "ops-ca");
    private static string Key => SshKeygen.Generate("ed25519", 0, "alice");

    [Fact]
    public void Each_principal_of_each_ca_line_is_a_line_with_the_grants_other_options()
    {
        string text = "# header\n" + Key + "\n" +
            $"cert-authority,principals=\"alice,bob\",no-pty,from=\"10.0.0.0/8\" {Ca}\n" +
            $"cert-authority,principals=\"deploy-bot\" {SshKeygen.Generate("ecdsa", 256, "ci-ca")}\n";

        Assert.Equal("no-pty,from=\"10.0.0.0/8\" alice\nno-pty,from=\"10.0.0.0/8\" bob\ndeploy-bot\n", PrincipalLines.Render(text, Now, TimeZoneInfo.Utc));
    }

    [Fact]
    public void An_expired_ca_line_admits_nobody_and_one_that_has_not_expired_keeps_its_expiry()
    {
        string past = ExpiryTimeFormat.Format(Now.AddMinutes(-1));
        string future = ExpiryTimeFormat.Format(Now.AddDays(1));
        string text = $"cert-authority,principals=\"old\",expiry-time=\"{past}\" {Ca}\ncert-authority,principals=\"new\",expiry-time=\"{future}\" {Ca}\n";

        Assert.Equal($"expiry-time=\"{future}\" new\n", PrincipalLines.Render(text, Now, TimeZoneInfo.Utc));
    }

    [Theory]
    [InlineData("principals=\"alice\" ")]
    [InlineData("cert-authority ")]
    [InlineData("cert-authority,principals=\"alice,bad name\" ")]
    [InlineData("cert-authority,principals=\"\" ")]
    public void A_line_that_is_no_ca_grant_the_daemon_writes_admits_nobody(string options)
    {
        Assert.Equal("", PrincipalLines.Render(options + Ca + "\n", Now, TimeZoneInfo.Utc));
    }
}
