using System.Globalization;
using System.Text;
using System.Text.Json;
using KeyAgentd.Core.AuthorizedKeys;
using KeyAgentd.Core.Keys;
using KeyAgentd.Core.Snapshot;
using KeyAgentd.Revocation;

namespace KeyAgentd.Tests.Revocation;

/// <summary>
/// A document's `revoked_certificates` (and a CA on `revoked`) through the host's KRL: certificates
/// issued by ssh-keygen -s, judged by ssh-keygen -Q. Exactly the revoked ones are refused, by
/// serial, range or key ID under their own CA only, and every certificate of a revoked CA; the
/// host's one revocation filter (<see cref="Revocations.IsRevoked"/>) agrees with the KRL on each.
/// </summary>
public sealed class CertificateRevocationKrlTests
{
    private const string QuotedId = "team \"ops\" \\ night shift";

    [Fact]
    public void Ssh_keygen_reports_exactly_the_revoked_certificates_as_revoked()
    {
        using var ca = new TestCertificateAuthority();
        using var otherCa = new TestCertificateAuthority("ecdsa", 256);
        using var revokedCa = new TestCertificateAuthority("rsa", 3072);
        string user = SshKeygen.Generate("ed25519", comment: "user");
        var issued = new List<(string Cert, bool Revoked, string Why)>();
        for (ulong serial = 1; serial <= 24; serial++)
        {
            bool revoked = serial is 3 or 7 || serial is >= 10 and <= 20;
            issued.Add((ca.Issue(user, "id-" + serial.ToString(CultureInfo.InvariantCulture), serial, ["alice"]), revoked, $"serial {serial}"));
        }
        issued.Add((ca.Issue(user, "alice@laptop", 0, ["alice"]), true, "key ID, serial 0"));
        issued.Add((ca.Issue(user, "alice@laptop", 21, ["alice"]), true, "key ID outside the ranges"));
        issued.Add((ca.Issue(user, QuotedId, 22, ["ops"]), true, "quoted key ID"));
        issued.Add((ca.Issue(user, "bob", 0, ["bob"]), false, "serial 0 is never revoked by serial"));
        issued.Add((ca.Issue(user, "alice@laptop2", 23, ["alice"]), false, "a key ID is matched exactly"));
        issued.Add((ca.Issue(user, "max", ulong.MaxValue, ["alice"]), true, "the last serial"));
        issued.Add((otherCa.Issue(user, "alice@laptop", 7, ["alice"]), false, "another CA's serial and key ID"));
        issued.Add((otherCa.Issue(user, "id-12", 12, ["alice"]), false, "another CA's range"));
        issued.Add((revokedCa.Issue(user, "carol", 99, ["carol"]), true, "a revoked CA's certificate"));
        issued.Add((revokedCa.Issue(user, "dave", 0, ["dave"], host: true), true, "a revoked CA's host certificate"));
        var snapshot = Parse(Document(
            revoked: [Fingerprint(revokedCa.PublicLine)],
            certificates: [new { ca = ca.KeyText, serials = new[] { "7", "10-20", "3", "18446744073709551615" }, key_ids = new[] { "alice@laptop", QuotedId } }]));
        var revocations = Revocations.From(snapshot);

        byte[] krl = RevokedKeysList.Build(snapshot);

        foreach (var (cert, revoked, why) in issued)
        {
            Assert.True(revoked == KrlOracle.Revokes(krl, cert), $"ssh-keygen -Q: {why} should be {(revoked ? "revoked" : "ok")}");
            Assert.True(revoked == revocations.IsRevoked(AuthorizedKeyLineParser.Parse(cert).Key!), $"Revocations.IsRevoked: {why}");
        }
        Assert.False(KrlOracle.Revokes(krl, user));
        Assert.True(KrlOracle.Revokes(krl, revokedCa.PublicLine));
        Assert.False(KrlOracle.Revokes(krl, ca.PublicLine));
    }

    [Fact]
    public void The_krl_revokes_what_ssh_keygen_k_revokes_from_the_same_spec()
    {
        using var ca = new TestCertificateAuthority();
        string user = SshKeygen.Generate("ecdsa", 384);
        var certificates = Enumerable.Range(1, 12).Select(i => ca.Issue(user, i % 3 == 0 ? "bad-id" : "id" + i, (ulong)i, ["x"])).ToList();
        var snapshot = Parse(Document([], [new { ca = ca.PublicLine.Split(' ')[0] + " " + ca.PublicLine.Split(' ')[1], serials = new[] { "2", "5-8" }, key_ids = new[] { "bad-id" } }]));
        byte[] theirs = KrlOracle.FromSpec(["serial: 2", "serial: 5-8", "id: bad-id"], ca.PublicLine);

        byte[] ours = RevokedKeysList.Build(snapshot);

        Assert.Equal(certificates.Select(c => KrlOracle.Revokes(theirs, c)), certificates.Select(c => KrlOracle.Revokes(ours, c)));
        Assert.Equal(8, certificates.Count(c => KrlOracle.Revokes(ours, c)));
    }

    [Fact]
    public void The_same_revocations_written_in_another_order_give_the_same_krl()
    {
        using var ca = new TestCertificateAuthority();
        using var other = new TestCertificateAuthority();
        var a = Parse(Document([], [
            new { ca = ca.KeyText, serials = new[] { "10-20", "3" }, key_ids = new[] { "b", "a" } },
            new { ca = other.KeyText, serials = new[] { "1" }, key_ids = Array.Empty<string>() }]));
        var b = Parse(Document([], [
            new { ca = other.KeyText, serials = new[] { "1" }, key_ids = Array.Empty<string>() },
            new { ca = ca.KeyText, serials = new[] { "3", "12-15", "10-14", "16-20" }, key_ids = new[] { "a", "b", "a" } }]));

        Assert.Equal(RevokedKeysList.Build(a), RevokedKeysList.Build(b));
    }

    private static string Fingerprint(string line) => AuthorizedKeyLineParser.Parse(line).Key!.Sha256Fingerprint;

    private static string Document(string[] revoked, object[] certificates) => JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["schema"] = "keyagentd.registry/v1",
        ["serial"] = 5,
        ["people"] = new Dictionary<string, object>(),
        ["accounts"] = new Dictionary<string, object>(),
        ["revoked"] = revoked,
        ["revoked_certificates"] = certificates,
    });

    private static RegistrySnapshot Parse(string json)
    {
        Assert.True(RegistrySnapshotParser.TryParse(Encoding.UTF8.GetBytes(json), out var snapshot, out var error), error?.Message);
        return snapshot;
    }
}
