using KeyAgentd.Core.AuthorizedKeys;
using KeyAgentd.Core.Policy;

namespace KeyAgentd.Core.Tests.Policy;

public class KeyPolicyTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);
    private static readonly KeyPolicy Default = new(null, TimeZoneInfo.Utc);

    private static Verdict Judge(string line, KeyPolicy? policy = null, DateTimeOffset? notAfter = null) =>
        (policy ?? Default).Evaluate(AuthorizedKeyLineParser.Parse(line), Now, notAfter);

    [Theory]
    [InlineData("ed25519", 0)]
    [InlineData("ecdsa", 256)]
    [InlineData("ecdsa", 384)]
    [InlineData("ecdsa", 521)]
    [InlineData("rsa", 2048)]
    [InlineData("rsa", 4096)]
    public void Default_policy_accepts_modern_keys(string type, int bits) =>
        Assert.True(Judge(SshKeygen.Generate(type, bits)).Accepted);

    [Fact]
    public void Security_keys_are_accepted()
    {
        Assert.True(Judge(WireBuilder.SkEd25519Line(SshKeygen.Generate("ed25519"))).Accepted);
        Assert.True(Judge(WireBuilder.SkEcdsaLine(SshKeygen.Generate("ecdsa", 256))).Accepted);
    }

    [Fact]
    public void Dsa_is_always_refused() => Assert.Equal(ReasonCode.DsaNotAllowed, Judge(SshKeygen.Generate("dsa", 1024)).Reason);

    [Fact]
    public void Dsa_is_refused_even_if_listed_as_allowed()
    {
        var policy = new KeyPolicy(new KeyPolicyOptions { AllowedKeyTypes = ["ssh-dss", "ssh-ed25519"] }, TimeZoneInfo.Utc);
        Assert.Equal(ReasonCode.DsaNotAllowed, Judge(SshKeygen.Generate("dsa", 1024), policy).Reason);
    }

    [Fact]
    public void Small_rsa_is_refused_with_its_size()
    {
        var verdict = Judge(SshKeygen.Generate("rsa", 1024));
        Assert.Equal(ReasonCode.RsaTooSmall, verdict.Reason);
        Assert.Equal("rsa-too-small", verdict.Code);
        Assert.Contains("1024", verdict.Message);
    }

    [Fact]
    public void Min_rsa_bits_is_configurable()
    {
        var policy = new KeyPolicy(new KeyPolicyOptions { MinRsaBits = 3072 }, TimeZoneInfo.Utc);
        Assert.Equal(ReasonCode.RsaTooSmall, Judge(SshKeygen.Generate("rsa", 2048), policy).Reason);
        Assert.True(Judge(SshKeygen.Generate("rsa", 3072), policy).Accepted);
    }

    [Fact]
    public void Type_not_in_allowed_list_is_refused()
    {
        var policy = new KeyPolicy(new KeyPolicyOptions { AllowedKeyTypes = ["ssh-ed25519"] }, TimeZoneInfo.Utc);
        Assert.Equal(ReasonCode.KeyTypeNotAllowed, Judge(SshKeygen.Generate("ecdsa", 256), policy).Reason);
    }

    [Fact]
    public void Certificates_are_not_plain_authorized_keys()
    {
        string cert = SshKeygen.SignUserCertificate(SshKeygen.Generate("ed25519"));
        Assert.Equal(ReasonCode.CertificateNotAllowed, Judge(cert).Reason);
    }

    [Fact]
    public void Revoked_fingerprint_is_refused()
    {
        string line = SshKeygen.Generate("ed25519");
        var fingerprint = AuthorizedKeyLineParser.Parse(line).Key!.Sha256Fingerprint;
        Assert.Equal(ReasonCode.Revoked, Judge(line, Default.WithRevoked([fingerprint])).Reason);
    }

    [Theory]
    [InlineData("from=\"10.0.0.0/8\"", true)]
    [InlineData("no-agent-forwarding,no-pty", true)]
    [InlineData("restrict", true)]
    [InlineData("permitopen=\"db:5432\"", true)]
    [InlineData("command=\"/bin/sh\"", false)]
    [InlineData("environment=\"LD_PRELOAD=/tmp/x\"", false)]
    [InlineData("cert-authority", false)]
    [InlineData("pty", false)]
    public void Options_are_limited_to_the_allowed_list(string options, bool accepted)
    {
        var verdict = Judge($"{options} {SshKeygen.Generate("ed25519")}");
        Assert.Equal(accepted, verdict.Accepted);
        if (!accepted)
        {
            Assert.Equal(ReasonCode.OptionNotAllowed, verdict.Reason);
        }
    }

    [Theory]
    [InlineData("no-touch-required", false)]
    [InlineData("no-verify-required", false)]
    [InlineData("touch-required", true)]
    [InlineData("verify-required", true)]
    [InlineData("no-port-forwarding,no-agent-forwarding,no-X11-forwarding,no-pty,no-user-rc", true)]
    [InlineData("restrict,from=\"10.0.0.0/8\",expiry-time=\"20300101Z\"", true)]
    [InlineData("permitopen=\"db:5432\",permitlisten=\"2300\"", true)]
    public void Default_options_are_the_restricting_ones_and_no_touch_required_is_not_one(string options, bool accepted)
    {
        var verdict = Judge($"{options} {SshKeygen.Generate("ed25519")}");
        Assert.Equal(accepted ? ReasonCode.Accepted : ReasonCode.OptionNotAllowed, verdict.Reason);
    }

    [Fact]
    public void An_operator_can_opt_in_to_no_touch_required()
    {
        var policy = new KeyPolicy(new KeyPolicyOptions { AllowedOptions = [.. KeyPolicyOptions.DefaultAllowedOptions, "no-touch-required"] }, TimeZoneInfo.Utc);
        Assert.True(Judge($"no-touch-required {WireBuilder.SkEd25519Line(SshKeygen.Generate("ed25519"))}", policy).Accepted);
        Assert.Equal(ReasonCode.OptionNotAllowed, Judge($"no-touch-required {WireBuilder.SkEd25519Line(SshKeygen.Generate("ed25519"))}").Reason);
    }

    [Fact]
    public void Allowed_option_names_match_in_any_case_as_sshd_reads_them()
    {
        // The packaged example and sshd's manual write no-X11-forwarding; the parser gives no-x11-forwarding.
        var policy = new KeyPolicy(new KeyPolicyOptions { AllowedOptions = ["no-X11-forwarding"] }, TimeZoneInfo.Utc);
        Assert.True(Judge($"NO-X11-FORWARDING {SshKeygen.Generate("ed25519")}", policy).Accepted);
        Assert.Equal(ReasonCode.OptionNotAllowed, Judge($"no-pty {SshKeygen.Generate("ed25519")}", policy).Reason);
    }

    [Fact]
    public void Command_is_allowed_when_configured()
    {
        var policy = new KeyPolicy(new KeyPolicyOptions { AllowedOptions = ["command", "no-*"] }, TimeZoneInfo.Utc);
        Assert.True(Judge($"command=\"/usr/bin/backup\",no-pty {SshKeygen.Generate("ed25519")}", policy).Accepted);
    }

    [Fact]
    public void Expired_expiry_time_and_not_after_are_refused()
    {
        string key = SshKeygen.Generate("ed25519");
        Assert.Equal(ReasonCode.Expired, Judge($"expiry-time=\"20261120Z\" {key}").Reason);
        Assert.True(Judge($"expiry-time=\"20261122Z\" {key}").Accepted);
        Assert.Equal(ReasonCode.Expired, Judge(key, notAfter: Now).Reason);
        Assert.True(Judge(key, notAfter: Now.AddSeconds(1)).Accepted);
    }

    [Fact]
    public void Expiry_time_without_z_is_read_in_the_zone_the_policy_was_given()
    {
        // 2026-11-21 13:00 local: in UTC+2 that was 11:00Z (passed at Now, 12:00Z); in UTC-2 it is 15:00Z (still ahead).
        string line = $"expiry-time=\"202611211300\" {SshKeygen.Generate("ed25519")}";
        var east = new KeyPolicy(null, TimeZoneInfo.CreateCustomTimeZone("plus2", TimeSpan.FromHours(2), "plus2", "plus2"));
        var west = new KeyPolicy(null, TimeZoneInfo.CreateCustomTimeZone("minus2", TimeSpan.FromHours(-2), "minus2", "minus2"));

        Assert.Equal(ReasonCode.Expired, Judge(line, east).Reason);
        Assert.True(Judge(line, west).Accepted);
        Assert.True(Judge(line, west.WithRevoked([])).Accepted);
    }

    [Fact]
    public void Parse_errors_become_verdicts_with_their_reason() =>
        Assert.Equal(ReasonCode.BadBase64, Judge("ssh-ed25519 AAAA*AAA").Reason);

    [Fact]
    public void Every_reason_code_has_a_distinct_stable_string()
    {
        var codes = Enum.GetValues<ReasonCode>().Select(r => r.ToCode()).ToList();
        Assert.Equal(codes.Count, codes.Distinct().Count());
        Assert.All(codes, c => Assert.Matches("^[a-z0-9]+(-[a-z0-9]+)*$", c));
        Assert.All(Enum.GetValues<ReasonCode>(), r => Assert.True(ReasonCodes.TryParse(r.ToCode(), out var back) && back == r));
    }

    [Theory]
    [InlineData("cert-authority")]
    [InlineData("Cert-Authority,principals=\"root\"")]
    public void A_key_line_never_carries_cert_authority_whatever_the_allowed_options_say(string options)
    {
        // cert-authority turns a person's key into a CA for the account: every certificate it signs logs in.
        var everything = new KeyPolicy(new KeyPolicyOptions { AllowedOptions = ["*"] }, TimeZoneInfo.Utc);

        var verdict = Judge($"{options} {SshKeygen.Generate("ed25519")}", everything);

        Assert.Equal(ReasonCode.OptionNotAllowed, verdict.Reason);
        Assert.Contains("cert-authority", verdict.Message, StringComparison.Ordinal);
        Assert.True(Judge($"no-pty {SshKeygen.Generate("ed25519")}", everything).Accepted);
    }
}
