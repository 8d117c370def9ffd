using KeyAgentd.Core.AuthorizedKeys;
using KeyAgentd.Testing;

namespace KeyAgentd.Core.Tests.AuthorizedKeys;

/// <summary>What sshd would do with a certificate offered for an account, from its cert-authority lines; certificates by ssh-keygen -s.</summary>
public sealed class CertificateCheckTests : IDisposable
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;
    private readonly TestCertificateAuthority _ca = new();
    private readonly TestCertificateAuthority _other = new();
    private static readonly string UserKey = SshKeygen.Generate("ed25519", 0, "alice");

    public void Dispose()
    {
        _ca.Dispose();
        _other.Dispose();
    }

    private List<AuthorizedKeyLine> Lines(string options = "cert-authority,principals=\"alice,bob\",no-pty") =>
        AuthorizedKeyLineParser.ParseAll($"{UserKey}\n{options} {_ca.PublicLine}\n");

    private static CertificateCheck.Result Check(string certificate, List<AuthorizedKeyLine> lines) =>
        CertificateCheck.Check(AuthorizedKeyLineParser.Parse(certificate).Key!, lines, Now, TimeZoneInfo.Utc);

    [Fact]
    public void An_admitted_principal_is_admitted_with_the_lines_options_and_the_certificates_critical_options()
    {
        var result = Check(_ca.Issue(UserKey, "alice@ci", 7, ["alice"], options: ["source-address=10.0.0.0/8"]), Lines());

        Assert.Equal(CertificateAdmission.Admitted, result.Admission);
        Assert.Equal(["no-pty", "source-address 10.0.0.0/8"], result.Restrictions);
        Assert.Contains("principal alice", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Each_refusal_has_its_code()
    {
        Assert.Equal(CertificateAdmission.PrincipalNotAdmitted, Check(_ca.Issue(UserKey, "x", 1, ["carol"]), Lines()).Admission);
        Assert.Equal(CertificateAdmission.CaNotAdmitted, Check(_other.Issue(UserKey, "x", 1, ["alice"]), Lines()).Admission);
        Assert.Equal(CertificateAdmission.Expired, Check(_ca.Issue(UserKey, "x", 1, ["alice"], validity: "20200101:20200102"), Lines()).Admission);
        Assert.Equal(CertificateAdmission.NotYetValid, Check(_ca.Issue(UserKey, "x", 1, ["alice"], validity: "+52w:+53w"), Lines()).Admission);
        Assert.Equal(CertificateAdmission.NotAUserCertificate, Check(_ca.Issue(UserKey, "x", 1, ["alice"], host: true), Lines()).Admission);
        Assert.Equal(CertificateAdmission.NotACertificate, Check(UserKey, Lines()).Admission);
        Assert.Equal(CertificateAdmission.CaGrantExpired,
            Check(_ca.Issue(UserKey, "x", 1, ["alice"]), Lines("cert-authority,principals=\"alice\",expiry-time=\"20200101000000Z\"")).Admission);
    }

    [Fact]
    public void A_principal_only_a_prefix_or_pattern_of_an_admitted_one_does_not_match()
    {
        Assert.Equal(CertificateAdmission.PrincipalNotAdmitted, Check(_ca.Issue(UserKey, "x", 1, ["ali", "alice*"]), Lines()).Admission);
    }
}
