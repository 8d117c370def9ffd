namespace KeyAgentd.EndToEnd;

/// <summary>
/// Certificates issued by ssh-keygen -s, admitted by a real sshd through TrustedUserCAKeys and refused
/// through the KRL keyagentd wrote from a signed registry document: by serial, range and key ID under the CA, and every
/// certificate of a CA the registry revokes.
/// </summary>
[Trait("Category", "Integration")]
public sealed class RevokedCertificatesLoginTests
{
    [EndToEndTheory]
    [InlineData("files")]
    public void A_revoked_serial_range_and_key_id_are_refused_while_another_certificate_of_the_same_ca_logs_in(string delivery)
    {
        using var lab = new SshdLab(delivery);
        lab.EnforceSignatures();
        using var ca = new TestCertificateAuthority();
        string kept = lab.NewKey("kept");
        string bySerial = lab.NewKey("byserial");
        string byRange = lab.NewKey("byrange");
        string byKeyId = lab.NewKey("bykeyid", "ecdsa", 256);
        ca.IssueFor(kept, "kept@laptop", 5, [lab.User]);
        ca.IssueFor(bySerial, "ci-job-42", 42, [lab.User]);
        ca.IssueFor(byRange, "batch", 15, [lab.User]);
        ca.IssueFor(byKeyId, "alice@laptop", 7, [lab.User]);
        lab.PublishAndSyncOk();
        lab.StartSshdTrustingCa(ca.PublicLine);
        Assert.True(lab.CanLogIn(bySerial) && lab.CanLogIn(byRange) && lab.CanLogIn(byKeyId), "every certificate logs in before any revocation: " + lab.SshdLog());

        lab.RevokeCertificates(ca.KeyText, ["42", "10-20"], ["alice@laptop"]);
        lab.PublishAndSyncOk();

        Assert.True(lab.CanLogIn(kept), lab.SshdLog());
        Assert.False(lab.CanLogIn(bySerial));
        Assert.False(lab.CanLogIn(byRange));
        Assert.False(lab.CanLogIn(byKeyId));
        Assert.Contains("revoked by file " + lab.RevokedKeysPath, lab.SshdLog(), StringComparison.Ordinal);
    }

    [EndToEndTheory]
    [InlineData("files")]
    public void A_revoked_ca_refuses_every_certificate_it_signed(string delivery)
    {
        using var lab = new SshdLab(delivery);
        lab.EnforceSignatures();
        using var ca = new TestCertificateAuthority();
        string first = lab.NewKey("first");
        string second = lab.NewKey("second");
        ca.IssueFor(first, "first", 1, [lab.User]);
        ca.IssueFor(second, "second", 0, [lab.User]);
        lab.PublishAndSyncOk();
        lab.StartSshdTrustingCa(ca.PublicLine);
        Assert.True(lab.CanLogIn(first), lab.SshdLog());

        lab.RevokeEverywhere(ca.PrivateKeyPath);
        lab.PublishAndSyncOk();

        Assert.False(lab.CanLogIn(first));
        Assert.False(lab.CanLogIn(second));
        Assert.Contains("revoked by file " + lab.RevokedKeysPath, lab.SshdLog(), StringComparison.Ordinal);
        Assert.True(lab.PublishUnsignedAndSync() != 0, "the lab enforces signatures, so the revocation came through a signed document: " + lab.LastSyncOutput);
    }
}
