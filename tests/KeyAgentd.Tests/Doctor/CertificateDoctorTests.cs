using KeyAgentd.Doctor;
using KeyAgentd.Testing;

namespace KeyAgentd.Tests.Doctor;

/// <summary>`doctor USER [--certificate FILE]`'s certificate section: the CAs an account admits, and a certificate judged as sshd judges it, every text escaped.</summary>
public sealed class CertificateDoctorTests : IDisposable
{
    private readonly TestCertificateAuthority _ca = new();
    private static readonly string UserKey = SshKeygen.Generate("ed25519", comment: "alice");

    public void Dispose() => _ca.Dispose();

    private string Lines => $"{UserKey}\ncert-authority,principals=\"alice\",no-pty {_ca.PublicLine}\n";

    private static string Examine(string? keyLines, string? certificate)
    {
        var report = new DoctorReport();
        CertificateDoctor.Examine(report, keyLines, certificate, DateTimeOffset.UtcNow, TimeZoneInfo.Utc);
        return report.ToString();
    }

    [Fact]
    public void Lists_each_admitted_ca_with_its_principals_and_options()
    {
        string text = Examine(Lines, null);
        Assert.Contains("ok    CA test ca ssh-ed25519 SHA256:", text, StringComparison.Ordinal);
        Assert.Contains(": principals alice; options no-pty", text, StringComparison.Ordinal);
        Assert.Contains("admits no certificate", Examine(UserKey + "\n", null), StringComparison.Ordinal);
    }

    [Fact]
    public void A_certificates_key_id_and_principals_cannot_drive_the_terminal_or_forge_a_line()
    {
        string certificate = _ca.Issue(UserKey, "evil\u001b[31m\nFAKE ok", 9, ["alice", "x\u001b]0;t\u0007"]);

        string text = Examine(Lines, certificate);

        Assert.DoesNotContain('\u001b', text);
        Assert.DoesNotContain('\u0007', text);
        Assert.DoesNotContain("\nFAKE", text, StringComparison.Ordinal);
        Assert.Contains("certificate-admitted: admitted as principal alice", text, StringComparison.Ordinal);
        Assert.Contains("applies: no-pty", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_without_a_key_is_said_so()
    {
        Assert.Contains("FAIL  not-a-certificate", Examine(Lines, "hello\n"), StringComparison.Ordinal);
    }
}
