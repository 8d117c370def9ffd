using KeyAgentd.Core.AuthorizedKeys;
using KeyAgentd.Core.Keys;
using KeyAgentd.Core.Planning;
using KeyAgentd.Core.Snapshot;

namespace KeyAgentd.Core.Tests.Snapshot;

/// <summary>
/// <see cref="Revocations.IsRevoked"/>, the one revocation filter: a plain key (a person's, or the CA key of
/// a cert-authority line) by fingerprint; a certificate by its certified key, its CA, its serial or its key ID.
/// </summary>
public class RevocationsTests
{
    private static SshPublicKey Key(string line) => AuthorizedKeyLineParser.Parse(line).Key!;

    [Fact]
    public void A_certificate_is_revoked_by_its_key_its_ca_its_serial_or_its_key_id_and_nothing_else()
    {
        using var ca = new TestCertificateAuthority();
        using var other = new TestCertificateAuthority();
        string user = SshKeygen.Generate("ed25519", comment: "user");
        string spare = SshKeygen.Generate("ecdsa", 256, comment: "spare");
        var bySerial = Key(ca.Issue(spare, "a", 12, ["x"]));
        var byKeyId = Key(ca.Issue(spare, "alice@laptop", 0, ["x"]));
        var serialZero = Key(ca.Issue(spare, "b", 0, ["x"]));
        var otherCa = Key(other.Issue(spare, "alice@laptop", 12, ["x"]));
        var byUserKey = Key(ca.Issue(user, "c", 99, ["x"]));
        var revocations = new Revocations([Key(user).Sha256Fingerprint], [new RevokedCertificates(Key(ca.PublicLine), [new(10, 20)], ["alice@laptop"])]);

        Assert.True(revocations.IsRevoked(bySerial));
        Assert.True(revocations.IsRevoked(byKeyId));
        Assert.True(revocations.IsRevoked(byUserKey));
        Assert.False(revocations.IsRevoked(serialZero));
        Assert.False(revocations.IsRevoked(otherCa));
        Assert.False(revocations.IsRevoked(Key(ca.PublicLine)));

        var caRevoked = new Revocations([Key(other.PublicLine).Sha256Fingerprint], []);
        Assert.True(caRevoked.IsRevoked(otherCa));
        Assert.True(caRevoked.IsRevoked(Key(other.PublicLine)), "the CA key of a cert-authority line is judged by the same filter");
        Assert.False(caRevoked.IsRevoked(bySerial));
    }

    [Fact]
    public void The_planner_removes_a_revoked_certificate_as_revoked_whatever_the_guard_says()
    {
        using var ca = new TestCertificateAuthority();
        var cert = Key(ca.Issue(SshKeygen.Generate("ed25519"), "gone", 5, ["x"]));
        var withdrawals = Withdrawals.From(new Revocations([], [new RevokedCertificates(Key(ca.PublicLine), [new(5, 5)], [])]), []);

        Assert.Equal(RemovalReason.Revoked, withdrawals.ReasonFor("deploy", cert));
        Assert.Equal(RemovalReason.NotGranted, Withdrawals.From(Revocations.None, []).ReasonFor("deploy", cert));
    }
}
