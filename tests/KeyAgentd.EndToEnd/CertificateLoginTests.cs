using KeyAgentd.Testing;

namespace KeyAgentd.EndToEnd;

/// <summary>
/// Certificates issued by ssh-keygen -s, logging in through a real sshd to what keyagentd wrote from the
/// registry's cert_authorities: cert-authority lines in authorized_keys ("files") or served by
/// keyagentd-keys ("helper"), and TrustedUserCAKeys with AuthorizedPrincipalsCommand keyagentd-keys --principals.
/// </summary>
[Trait("Category", "Integration")]
public sealed class CertificateLoginTests
{
    [EndToEndTheory]
    [InlineData("files")]
    [InlineData("helper")]
    public void An_admitted_principal_logs_in_and_wrong_principal_other_ca_expired_and_not_yet_valid_are_refused(string delivery)
    {
        using var lab = new SshdLab(delivery);
        using var ca = new TestCertificateAuthority();
        using var other = new TestCertificateAuthority();
        string alice = lab.StartWithCertifiedAlice(ca, ["alice", "bob"]);
        Assert.False(lab.CanLogIn(lab.Certified(ca, "carol", ["carol"])));
        Assert.False(lab.CanLogIn(lab.Certified(other, "alice2", ["alice"])));
        Assert.False(lab.CanLogIn(lab.Certified(ca, "expired", ["alice"], "20200101:20200102")));
        Assert.False(lab.CanLogIn(lab.Certified(ca, "future", ["alice"], "+52w:+53w")));
        Assert.Contains("not yet valid", lab.SshdLog(), StringComparison.Ordinal);
        Assert.Contains("expired", lab.SshdLog(), StringComparison.Ordinal);

        string doctor = lab.DoctorCertificate(alice + "-cert.pub");
        Assert.Contains("certificate-admitted: admitted as principal alice", doctor, StringComparison.Ordinal);
        Assert.Contains("CA ops-ca ssh-ed25519", doctor, StringComparison.Ordinal);
    }

    [EndToEndTheory]
    [InlineData("files")]
    [InlineData("helper")]
    public void The_grant_removed_upstream_refuses_the_certificate_after_the_next_sync(string delivery)
    {
        using var lab = new SshdLab(delivery);
        using var ca = new TestCertificateAuthority();
        string keyHolder = lab.NewKey("keyholder");
        lab.Grant(keyHolder);
        string alice = lab.StartWithCertifiedAlice(ca);

        lab.RemoveCertificateAuthorities();
        lab.PublishAndSyncOk();

        Assert.False(lab.CanLogIn(alice));
        Assert.True(lab.CanLogIn(keyHolder), lab.SshdLog());
        Assert.Contains("ca-not-admitted", lab.DoctorCertificate(alice + "-cert.pub"), StringComparison.Ordinal);
    }

    [EndToEndTheory]
    [InlineData("files")]
    [InlineData("helper")]
    public void The_ca_revoked_is_refused_its_line_gone_even_under_a_guard_that_lets_no_key_go(string delivery)
    {
        using var lab = new SshdLab(delivery) { StrictGuard = true };
        using var ca = new TestCertificateAuthority();
        string keyHolder = lab.NewKey("keyholder");
        lab.Grant(keyHolder);
        string alice = lab.StartWithCertifiedAlice(ca);

        lab.RevokeCertificateAuthority(ca.PublicLine);
        lab.PublishAndSyncOk();

        Assert.False(lab.CanLogIn(alice));
        Assert.True(lab.CanLogIn(keyHolder), lab.SshdLog());
        string written = File.ReadAllText(delivery == "files" ? lab.AuthorizedKeys : Path.Combine(lab.StateDir, "keys", lab.User));
        Assert.DoesNotContain(ca.KeyText, written, StringComparison.Ordinal);
    }

    [EndToEndTheory]
    [InlineData("files")]
    [InlineData("helper")]
    public void The_grants_options_hold_for_certificate_logins_and_sshd_enforces_the_certificates_source_address(string delivery)
    {
        using var lab = new SshdLab(delivery);
        using var ca = new TestCertificateAuthority();
        using var far = new TestCertificateAuthority();
        lab.GrantCertificateAuthority("far-ca", far.PublicLine, ["alice"], "from=\"10.9.9.9\"");
        string alice = lab.StartWithCertifiedAlice(ca, options: "no-pty,from=\"127.0.0.1\"");
        Assert.False(lab.GetsPty(alice));
        Assert.False(lab.CanLogIn(lab.Certified(far, "faraway", ["alice"])));
        Assert.False(lab.CanLogIn(lab.Certified(ca, "pinned", ["alice"], options: ["source-address=10.9.9.9/32"])));
        Assert.True(lab.CanLogIn(lab.Certified(ca, "local", ["alice"], options: ["source-address=127.0.0.1/32"])), lab.SshdLog());
    }

    [EndToEndTheory]
    [InlineData("helper")]
    public void Through_trusted_user_ca_keys_and_the_principals_command_the_same_holds(string delivery)
    {
        using var lab = new SshdLab(delivery) { StrictGuard = true };
        using var ca = new TestCertificateAuthority();
        using var other = new TestCertificateAuthority();
        lab.WriteTrustedCaKeys();
        lab.GrantCertificateAuthority("ops-ca", ca.PublicLine, ["alice"], "no-pty");
        lab.PublishAndSyncOk();
        Assert.Contains(ca.KeyText, File.ReadAllText(lab.TrustedCaKeysPath), StringComparison.Ordinal);
        lab.StartSshdWithPrincipalsCommand();

        string alice = lab.Certified(ca, "alice", ["alice"]);
        Assert.True(lab.CanLogIn(alice), lab.SshdLog());
        Assert.False(lab.GetsPty(alice));
        Assert.False(lab.CanLogIn(lab.Certified(ca, "carol", ["carol"])));
        Assert.False(lab.CanLogIn(lab.Certified(other, "alice2", ["alice"])));
        Assert.False(lab.CanLogIn(lab.Certified(ca, "expired", ["alice"], "20200101:20200102")));

        lab.RevokeCertificateAuthority(ca.PublicLine);
        lab.PublishAndSyncOk();
        Assert.DoesNotContain(ca.KeyText, File.ReadAllText(lab.TrustedCaKeysPath), StringComparison.Ordinal);
        Assert.False(lab.CanLogIn(alice));
    }

    [EndToEndTheory]
    [InlineData("files")]
    public void Through_trusted_user_ca_keys_and_the_principals_files_keyagentd_writes_the_same_holds(string delivery)
    {
        using var lab = new SshdLab(delivery);
        using var ca = new TestCertificateAuthority();
        lab.WriteTrustedCaKeys();
        lab.WritePrincipalsFiles();
        lab.GrantCertificateAuthority("ops-ca", ca.PublicLine, ["alice"], "no-pty");
        lab.PublishAndSyncOk();
        Assert.Equal("no-pty alice\n", File.ReadAllText(Path.Combine(lab.PrincipalsDirectory, lab.User)));
        lab.StartSshdWithPrincipalsFiles();

        string alice = lab.Certified(ca, "alice", ["alice"]);
        Assert.True(lab.CanLogIn(alice), lab.SshdLog());
        Assert.False(lab.GetsPty(alice));
        Assert.False(lab.CanLogIn(lab.Certified(ca, "carol", ["carol"])));

        lab.RemoveCertificateAuthorities();
        lab.PublishAndSyncOk();
        Assert.False(File.Exists(Path.Combine(lab.PrincipalsDirectory, lab.User)));
        Assert.False(lab.CanLogIn(alice));
    }
}
