using KeyAgentd.Core.AuthorizedKeys;
using KeyAgentd.Core.Keys;

namespace KeyAgentd.Core.Tests.Keys;

/// <summary>
/// Certificates issued by ssh-keygen -s at test time, described by keyagentd and by ssh-keygen -L,
/// line by line: type, certified key, CA and its signature algorithm, key ID, serial, validity,
/// principals, critical options and extensions; ssh-keygen -l for the fingerprint line.
/// </summary>
public class SshCertificateTextTests
{
    public static TheoryData<string, int, string, int> KeyAndCaTypes => new()
    {
        { "ed25519", 0, "ed25519", 0 },
        { "ecdsa", 256, "rsa", 3072 },
        { "ecdsa", 384, "ecdsa", 384 },
        { "ecdsa", 521, "ed25519", 0 },
        { "rsa", 2048, "ecdsa", 521 },
    };

    [Theory]
    [MemberData(nameof(KeyAndCaTypes))]
    public void A_user_certificate_of_every_key_and_ca_type_reads_as_ssh_keygen_describes_it(string type, int bits, string caType, int caBits)
    {
        using var ca = new TestCertificateAuthority(caType, caBits);
        string cert = ca.Issue(SshKeygen.Generate(type, bits, "user key"), "alice@laptop", serial: 42, principals: ["alice", "deploy"],
            validity: "20250101:20300101123456", options: ["source-address=10.0.0.0/8,192.168.1.1", "force-command=/usr/bin/rsync --server"]);

        AssertDescribedAsSshKeygenDoes(cert);
        var key = AuthorizedKeyLineParser.Parse(cert).Key!;
        Assert.Equal(AuthorizedKeyLineParser.Parse(ca.PublicLine).Key!.Sha256Fingerprint, key.Certificate!.SignatureKey!.Sha256Fingerprint);
        Assert.Equal(SshKeygen.Fingerprint(cert + "\n").Lines.Single(), $"{key.Bits} {key.Sha256Fingerprint} user key ({key.Type.DisplayName})");
    }

    [Fact]
    public void A_host_certificate_valid_forever_reads_as_ssh_keygen_describes_it()
    {
        using var ca = new TestCertificateAuthority();
        string cert = ca.Issue(SshKeygen.Generate("ed25519"), "web-01", principals: ["web-01.example.com", "web-01"], host: true);

        AssertDescribedAsSshKeygenDoes(cert);
        Assert.Equal(SshCertificateKind.Host, AuthorizedKeyLineParser.Parse(cert).Key!.Certificate!.Kind);
    }

    [Theory]
    [InlineData("always:forever")]
    [InlineData("20250101:forever")]
    [InlineData("always:20300101")]
    [InlineData("20250615103000:20250615113000")]
    public void Every_validity_form_is_written_as_ssh_keygen_writes_it_in_the_local_zone(string validity)
    {
        using var ca = new TestCertificateAuthority();
        string cert = ca.Issue(SshKeygen.Generate("ed25519"), "v", serial: 7, principals: ["alice"], validity: validity);

        AssertDescribedAsSshKeygenDoes(cert, "UTC", TimeZoneInfo.Utc);
        AssertDescribedAsSshKeygenDoes(cert, "Europe/Berlin", TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin"));
        AssertDescribedAsSshKeygenDoes(cert, "America/New_York", TimeZoneInfo.FindSystemTimeZoneById("America/New_York"));
    }

    [Theory]
    [InlineData("clear")]
    [InlineData("clear|permit-pty|verify-required")]
    [InlineData("no-pty|no-port-forwarding|no-touch-required")]
    [InlineData("critical:custom@example.com=abc|extension:login@example.com=root|extension:flag@example.com")]
    public void Critical_options_and_extensions_known_or_unknown_are_listed_as_ssh_keygen_lists_them(string optionList)
    {
        string[] options = optionList.Split('|');
        using var ca = new TestCertificateAuthority();
        string cert = ca.Issue(SshKeygen.Generate("ed25519"), "options", serial: 9, principals: ["alice"], options: options);

        AssertDescribedAsSshKeygenDoes(cert);
        AssertDescribedAsSshKeygenDoes(cert, md5: true);
    }

    [Theory]
    [InlineData("alice\u001b[31m\"red\"")]
    [InlineData("line\nbreak")]
    [InlineData("tab\there\rreturn")]
    [InlineData("c1\u009b31m and \u2028 separator")]
    [InlineData("quote \" and backslash \\")]
    public void A_hostile_key_id_or_principal_is_shown_escaped_where_ssh_keygen_prints_it_raw(string hostile)
    {
        using var ca = new TestCertificateAuthority();
        string cert = ca.Issue(SshKeygen.Generate("ed25519"), hostile, serial: 3, principals: ["ok", hostile.Replace(',', ';')],
            options: ["force-command=" + hostile]);
        var raw = TestCertificateAuthority.Describe(cert + "\n");
        Assert.Equal(0, raw.ExitCode);

        string ours = string.Join('\n', SshCertificateText.Describe(AuthorizedKeyLineParser.Parse(cert).Key!, TimeZoneInfo.Utc));

        Assert.Equal(Body(raw.Stdout.Replace(hostile.Replace(',', ';'), SafeText.Escape(hostile.Replace(',', ';')), StringComparison.Ordinal)
            .Replace(hostile, SafeText.Escape(hostile), StringComparison.Ordinal)), ours + "\n");
        Assert.DoesNotContain(ours.Split('\n'), l => SafeText.ContainsControl(l));
    }

    [Fact]
    public void A_certificate_signed_by_a_certificate_is_refused_as_sshd_refuses_it()
    {
        using var ca = new TestCertificateAuthority();
        byte[] certificateAsCa = AuthorizedKeyLineParser.Parse(ca.Issue(SshKeygen.Generate("ed25519"), "inner", principals: ["x"])).Key!.Blob.ToArray();
        var ed = WireBuilder.Fields(Convert.FromBase64String(SshKeygen.Generate("ed25519").Split(' ')[1]));
        string blob = new WireBuilder()
            .String("ssh-ed25519-cert-v01@openssh.com").String(new byte[32]).String(ed[1])
            .UInt64(5).UInt32(1).String("outer").String(new WireBuilder().String("x").ToArray()).UInt64(0).UInt64(ulong.MaxValue)
            .String("").String("").String("").String(certificateAsCa).String(new WireBuilder().String("ssh-ed25519").String(new byte[64]).ToArray())
            .ToBase64();

        var parsed = AuthorizedKeyLineParser.Parse("ssh-ed25519-cert-v01@openssh.com " + blob);

        Assert.False(parsed.IsKey);
        Assert.Contains("signature key is itself a certificate", parsed.ErrorMessage, StringComparison.Ordinal);
    }

    private static void AssertDescribedAsSshKeygenDoes(string cert, string tz = "UTC", TimeZoneInfo? zone = null, bool md5 = false)
    {
        var keygen = TestCertificateAuthority.Describe(cert + "\n", tz, md5);
        Assert.True(keygen.ExitCode == 0, keygen.Stderr);

        var ours = SshCertificateText.Describe(AuthorizedKeyLineParser.Parse(cert).Key!, zone ?? TimeZoneInfo.Utc, md5);

        Assert.Equal(Body(keygen.Stdout), string.Concat(ours.Select(l => l + "\n")));
    }

    /// <summary>ssh-keygen -L's output without its "FILE:" header line.</summary>
    private static string Body(string output) => output[(output.IndexOf('\n', StringComparison.Ordinal) + 1)..];
}
