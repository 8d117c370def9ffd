using KeyAgentd.Core.AuthorizedKeys;
using KeyAgentd.Core.Snapshot;
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
        CertificateCheck.Check(AuthorizedKeyLineParser.Parse(certificate).Key!, lines, Revocations.None, Now, TimeZoneInfo.Utc);

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

    [Fact]
    public void A_revoked_certificate_is_refused_whatever_its_line_admits_and_the_rule_that_revoked_it_is_named()
    {
        string revokedKey = SshKeygen.Generate("ed25519", 0, "stolen");
        var ca = AuthorizedKeyLineParser.Parse(_ca.PublicLine).Key!;
        var revocations = new Revocations([Fingerprint(revokedKey)],
            [new RevokedCertificates(ca, [new SerialRange(42, 42), new SerialRange(100, 200)], ["alice@lost-laptop"])]);
        RevocationMatch? RevokedBy(string certificate)
        {
            var result = CertificateCheck.Check(AuthorizedKeyLineParser.Parse(certificate).Key!, Lines(), revocations, Now, TimeZoneInfo.Utc);
            Assert.Equal(result.RevokedBy is null ? CertificateAdmission.Admitted : CertificateAdmission.Revoked, result.Admission);
            return result.RevokedBy;
        }

        Assert.Equal(new RevocationMatch(RevocationRule.Serial, "serial 42"), RevokedBy(_ca.Issue(UserKey, "x", 42, ["alice"])));
        Assert.Equal(new RevocationMatch(RevocationRule.SerialRange, "serials 100-200"), RevokedBy(_ca.Issue(UserKey, "x", 150, ["alice"])));
        Assert.Equal(new RevocationMatch(RevocationRule.KeyId, "key ID \"alice@lost-laptop\""), RevokedBy(_ca.Issue(UserKey, "alice@lost-laptop", 0, ["alice"])));
        Assert.Equal(RevocationRule.Key, RevokedBy(_ca.Issue(revokedKey, "x", 7, ["alice"]))?.Rule);
        // Another certificate of the same CA, and the same serial and key ID under another CA, still log in.
        Assert.Null(RevokedBy(_ca.Issue(UserKey, "alice@laptop", 43, ["alice"])));
        Assert.Null(RevokedBy(_ca.Issue(UserKey, "x", 0, ["alice"])));
        var other = CertificateCheck.Check(AuthorizedKeyLineParser.Parse(_other.Issue(UserKey, "alice@lost-laptop", 42, ["alice"])).Key!, Lines(), revocations, Now, TimeZoneInfo.Utc);
        Assert.Equal(CertificateAdmission.CaNotAdmitted, other.Admission);
    }

    [Fact]
    public void A_revoked_ca_refuses_every_certificate_it_signed_even_while_its_line_is_still_there()
    {
        var revocations = new Revocations([Fingerprint(_ca.PublicLine)], []);

        var result = CertificateCheck.Check(AuthorizedKeyLineParser.Parse(_ca.Issue(UserKey, "x", 1, ["alice"])).Key!, Lines(), revocations, Now, TimeZoneInfo.Utc);

        Assert.Equal(CertificateAdmission.Revoked, result.Admission);
        Assert.Equal(RevocationRule.Ca, result.RevokedBy?.Rule);
        Assert.Equal("certificate-revoked", result.Admission.ToCode());
        Assert.StartsWith("revoked by ca (CA SHA256:", result.Message, StringComparison.Ordinal);
    }

    private static string Fingerprint(string line) => AuthorizedKeyLineParser.Parse(line).Key!.Sha256Fingerprint;
}
