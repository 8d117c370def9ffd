using System.Text.Json;
using KeyAgentd.Cli;
using KeyAgentd.Core;
using KeyAgentd.Core.Policy;

namespace KeyAgentd.Tests.Cli;

/// <summary>
/// `fingerprint`, `fingerprint -L`, `check` and `import` on files holding certificates issued by
/// ssh-keygen -s: what ssh-keygen -l and -L print, every text the certificate carries escaped, and a
/// certificate still refused as a person's key (certificate-not-allowed).
/// </summary>
public class CertificateOutputTests
{
    private const string Hostile = "ops\u001b]0;owned\u0007\nInjected: \"x\"";

    private static string File(TestCertificateAuthority ca, TestCertificateAuthority hostCa) => string.Join('\n',
        "# certificates of two CAs, a plain key, and a line that is no key",
        ca.Issue(SshKeygen.Generate("ed25519", 0, "alice laptop"), "alice@laptop", serial: 1001, principals: ["alice"], validity: "20250101:20300101",
            options: ["source-address=10.1.0.0/16", "force-command=/usr/local/bin/deploy"]),
        SshKeygen.Generate("ecdsa", 256, "plain key"),
        hostCa.Issue(SshKeygen.Generate("rsa", 2048, "host"), "web-01", serial: 2, principals: ["web-01.example.com"], host: true),
        "ssh-ed25519 AAAA-not-base64 broken",
        ca.Issue(SshKeygen.Generate("ecdsa", 384, "bob"), "bob", serial: 18446744073709551615, principals: ["bob", "deploy"], validity: "always:20301231",
            options: ["clear", "permit-pty"])) + "\n";

    [Fact]
    public void Fingerprint_prints_certificates_as_ssh_keygen_l_does()
    {
        using var ca = new TestCertificateAuthority();
        using var hostCa = new TestCertificateAuthority("ecdsa", 384);
        using var dir = new TempDirectory();
        System.IO.File.WriteAllText(dir.File("certs"), File(ca, hostCa));
        var stdout = new StringWriter();

        Assert.Equal(ExitCodes.Ok, FingerprintCommand.Run(dir.File("certs"), false, stdout, TextWriter.Null));

        var (exit, lines) = SshKeygen.Fingerprint(System.IO.File.ReadAllText(dir.File("certs")));
        Assert.Equal(0, exit);
        Assert.Equal(string.Concat(lines.Select(l => l + "\n")), stdout.ToString());
        Assert.Equal(4, lines.Length);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Fingerprint_L_prints_what_ssh_keygen_L_prints_and_reports_the_other_lines_likewise(bool md5)
    {
        using var ca = new TestCertificateAuthority();
        using var hostCa = new TestCertificateAuthority("rsa", 3072);
        using var dir = new TempDirectory();
        System.IO.File.WriteAllText(dir.File("certs"), File(ca, hostCa));
        var keygen = ProcessRunner.Run("ssh-keygen", md5 ? ["-E", "md5", "-L", "-f", dir.File("certs")] : ["-L", "-f", dir.File("certs")],
            environment: new Dictionary<string, string> { ["TZ"] = "UTC" });
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        int exit = FingerprintCommand.RunCertificates(dir.File("certs"), md5, TimeZoneInfo.Utc, stdout, stderr);

        Assert.Equal(keygen.ExitCode, exit);
        Assert.Equal(keygen.Stdout, stdout.ToString());
        Assert.Contains($"{dir.File("certs")}:3 is not a certificate", keygen.Stderr, StringComparison.Ordinal);
        Assert.Contains($"{dir.File("certs")}:3 is not a certificate\n", stderr.ToString(), StringComparison.Ordinal);
        Assert.Contains($"{dir.File("certs")}:5: invalid key", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Fingerprint_L_of_a_file_without_certificates_fails_as_ssh_keygen_does()
    {
        using var dir = new TempDirectory();
        System.IO.File.WriteAllText(dir.File("plain"), SshKeygen.Generate("ed25519") + "\n");

        Assert.Equal(ExitCodes.Failed, FingerprintCommand.RunCertificates(dir.File("plain"), false, TimeZoneInfo.Utc, TextWriter.Null, TextWriter.Null));
        Assert.NotEqual(0, ProcessRunner.Run("ssh-keygen", ["-L", "-f", dir.File("plain")]).ExitCode);
    }

    [Fact]
    public void Fingerprint_L_escapes_a_hostile_key_id_principal_and_force_command()
    {
        using var ca = new TestCertificateAuthority();
        using var dir = new TempDirectory();
        System.IO.File.WriteAllText(dir.File("cert"), ca.Issue(SshKeygen.Generate("ed25519"), Hostile, serial: 5,
            principals: [Hostile.Replace(',', ';')], options: ["force-command=" + Hostile]) + "\n");
        var raw = ProcessRunner.Run("ssh-keygen", ["-L", "-f", dir.File("cert")], environment: new Dictionary<string, string> { ["TZ"] = "UTC" });
        var stdout = new StringWriter();

        Assert.Equal(ExitCodes.Ok, FingerprintCommand.RunCertificates(dir.File("cert"), false, TimeZoneInfo.Utc, stdout, TextWriter.Null));

        Assert.Equal(raw.Stdout.Replace(Hostile, SafeText.Escape(Hostile), StringComparison.Ordinal), stdout.ToString());
        Assert.Equal(3, stdout.ToString().Split('\n').Count(l => l.Contains(SafeText.Escape(Hostile), StringComparison.Ordinal)));
        Assert.DoesNotContain('\u001b', stdout.ToString());
    }

    [Fact]
    public void Check_refuses_a_certificate_and_describes_it_in_text_and_json()
    {
        using var ca = new TestCertificateAuthority();
        using var dir = new TempDirectory();
        string cert = ca.Issue(SshKeygen.Generate("ed25519"), Hostile, serial: 77, principals: ["alice"], validity: "20250101:20300101",
            options: ["source-address=10.0.0.0/8"]);
        System.IO.File.WriteAllText(dir.File("keys"), cert + "\n");
        var policy = new KeyPolicy(null, TimeZoneInfo.Utc);
        var text = new StringWriter();
        var json = new StringWriter();

        Assert.Equal(ExitCodes.Failed, CheckCommand.Run(dir.File("keys"), false, policy, DateTimeOffset.UtcNow, text, TextWriter.Null));
        Assert.Equal(ExitCodes.Failed, CheckCommand.Run(dir.File("keys"), true, policy, DateTimeOffset.UtcNow, json, TextWriter.Null));

        var described = TestCertificateAuthority.Describe(cert + "\n").Stdout.Replace(Hostile, SafeText.Escape(Hostile), StringComparison.Ordinal);
        Assert.Contains("REJECT certificate-not-allowed", text.ToString(), StringComparison.Ordinal);
        Assert.Contains(described[(described.IndexOf('\n', StringComparison.Ordinal) + 1)..], text.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', text.ToString());
        var certificate = JsonDocument.Parse(json.ToString()).RootElement.GetProperty("verdicts")[0].GetProperty("certificate");
        Assert.Equal("user", certificate.GetProperty("kind").GetString());
        Assert.Equal(Hostile, certificate.GetProperty("key_id").GetString());
        Assert.Equal("77", certificate.GetProperty("serial").GetString());
        Assert.Equal("2025-01-01T00:00:00Z", certificate.GetProperty("valid_after").GetString());
        Assert.Equal("from 2025-01-01T00:00:00 to 2030-01-01T00:00:00", certificate.GetProperty("validity").GetString());
        Assert.Equal(SshKeygen.Fingerprint(ca.PublicLine + "\n").Lines.Single().Split(' ')[1], certificate.GetProperty("ca_fingerprint").GetString());
        Assert.Equal("source-address", certificate.GetProperty("critical_options")[0].GetProperty("name").GetString());
        Assert.Equal("10.0.0.0/8", certificate.GetProperty("critical_options")[0].GetProperty("value").GetString());
        Assert.DoesNotContain('\u001b', json.ToString());
    }

    [Fact]
    public void Import_keeps_a_certificate_line_and_says_on_stderr_what_it_is()
    {
        using var ca = new TestCertificateAuthority();
        using var dir = new TempDirectory();
        string cert = ca.Issue(SshKeygen.Generate("ed25519", 0, "alice"), Hostile, serial: 12, principals: ["alice"]);
        System.IO.File.WriteAllText(dir.File("keys"), cert + "\n");
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        Assert.Equal(ExitCodes.Ok, ImportCommand.Run(dir.File("keys"), stdout, stderr));

        Assert.Equal(cert + "\n", stdout.ToString());
        Assert.Contains($"user certificate ED25519-CERT", stderr.ToString(), StringComparison.Ordinal);
        Assert.Contains($"key ID \"{SafeText.Escape(Hostile)}\", serial 12", stderr.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', stderr.ToString());
    }
}
