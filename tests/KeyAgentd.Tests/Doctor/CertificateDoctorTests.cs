using System.Text;
using System.Text.Json;
using KeyAgentd.Core.AuthorizedKeys;
using KeyAgentd.Core.Snapshot;
using KeyAgentd.Doctor;
using KeyAgentd.Revocation;
using KeyAgentd.State;
using KeyAgentd.Testing;

namespace KeyAgentd.Tests.Doctor;

/// <summary>`doctor USER [--certificate FILE]`'s certificate section: the CAs an account admits, and a certificate judged as sshd judges it, every text escaped.</summary>
public sealed class CertificateDoctorTests : IDisposable
{
    private readonly TestCertificateAuthority _ca = new();
    private static readonly string UserKey = SshKeygen.Generate("ed25519", comment: "alice");

    public void Dispose() => _ca.Dispose();

    private string Lines => $"{UserKey}\ncert-authority,principals=\"alice\",no-pty {_ca.PublicLine}\n";

    private static string Examine(string? keyLines, string? certificate, HostRevocations? revocations = null)
    {
        var report = new DoctorReport();
        CertificateDoctor.Examine(report, keyLines, certificate, revocations ?? new HostRevocations(Revocations.None, null), DateTimeOffset.UtcNow, TimeZoneInfo.Utc);
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

    [Fact]
    public void A_certificate_is_judged_revoked_exactly_when_ssh_keygen_finds_it_in_the_krl_keyagentd_writes()
    {
        string stolen = SshKeygen.Generate("ecdsa", 256, "stolen");
        using var revokedCa = new TestCertificateAuthority();
        string lines = Lines + $"cert-authority,principals=\"alice\" {revokedCa.PublicLine}\n";
        var snapshot = Snapshot(
            revoked: [Fingerprint(stolen), Fingerprint(revokedCa.PublicLine)],
            certificates: [new { ca = _ca.KeyText, serials = new[] { "42", "100-200" }, key_ids = new[] { "alice@lost-laptop" } }]);
        using var state = new TempDirectory("keyagentd-doctor-state-");
        var store = new StateStore(state.Path);
        store.SaveSnapshot(snapshot.Bytes);
        string krl = state.File("revoked_keys");
        File.WriteAllBytes(krl, RevokedKeysList.Build(snapshot.Parsed));
        var held = HostRevocations.Read(store);
        var issued = new (string Certificate, string? Rule)[]
        {
            (_ca.Issue(UserKey, "a", 42, ["alice"]), "serial (serial 42)"),
            (_ca.Issue(UserKey, "b", 150, ["alice"]), "serial-range (serials 100-200)"),
            (_ca.Issue(UserKey, "alice@lost-laptop", 7, ["alice"]), "key-id (key ID \"alice@lost-laptop\")"),
            (_ca.Issue(stolen, "c", 8, ["alice"]), "key (key SHA256:"),
            (revokedCa.Issue(UserKey, "d", 9, ["alice"]), "ca (CA SHA256:"),
            (_ca.Issue(UserKey, "alice@laptop", 43, ["alice"]), null),
            (_ca.Issue(UserKey, "e", 0, ["alice"]), null),
        };

        foreach (var (certificate, rule) in issued)
        {
            string text = Examine(lines, certificate, held);
            bool sshKeygen = QueryKrl(krl, certificate, state);
            Assert.True(sshKeygen == text.Contains("FAIL  certificate-revoked: revoked by ", StringComparison.Ordinal), $"ssh-keygen -Q says {(sshKeygen ? "REVOKED" : "ok")}:\n{text}");
            Assert.True(rule is null ? text.Contains("ok    certificate-admitted", StringComparison.Ordinal) : text.Contains("revoked by " + rule, StringComparison.Ordinal), text);
        }
        Assert.Contains($"FAIL  CA test ca ssh-ed25519 {Fingerprint(revokedCa.PublicLine)}: principals alice (REVOKED", Examine(lines, null, held), StringComparison.Ordinal);
    }

    [Fact]
    public void A_revoked_certificates_text_is_escaped_and_an_unreadable_snapshot_gives_no_verdict_on_revocation()
    {
        const string QuotedId = "team \"ops\" \\ night";
        var snapshot = Snapshot([], [new { ca = _ca.KeyText, serials = new[] { "5" }, key_ids = new[] { QuotedId } }]);
        using var state = new TempDirectory("keyagentd-doctor-state-");
        var store = new StateStore(state.Path);
        store.SaveSnapshot(snapshot.Bytes);

        string text = Examine(Lines, _ca.Issue(UserKey, "x\u001b[31m\nFAKE ok", 5, ["alice"]), HostRevocations.Read(store));

        Assert.Contains("certificate-revoked: revoked by serial (serial 5)", text, StringComparison.Ordinal);
        Assert.Contains("certificate-revoked: revoked by key-id (key ID \"team \"ops\" \\ night\")", Examine(Lines, _ca.Issue(UserKey, QuotedId, 6, ["alice"]), HostRevocations.Read(store)), StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', text);
        Assert.DoesNotContain("\nFAKE", text, StringComparison.Ordinal);

        store.SaveSnapshot("{not json"u8.ToArray());
        var unreadable = HostRevocations.Read(store);
        Assert.Null(unreadable.Held);
        Assert.Contains("WARN  revocations not checked: the last-known-good snapshot does not parse", Examine(Lines, _ca.Issue(UserKey, "z", 1, ["alice"]), unreadable), StringComparison.Ordinal);
        Assert.Same(Revocations.None, HostRevocations.Read(new StateStore(state.File("none"))).Held);
    }

    private static bool QueryKrl(string krl, string certificate, TempDirectory dir)
    {
        File.WriteAllText(dir.File("cert.pub"), certificate + "\n");
        var result = ProcessRunner.Run("ssh-keygen", ["-Q", "-f", krl, dir.File("cert.pub")]);
        Assert.True(result.ExitCode is 0 or 1, result.Stderr);
        return result.ExitCode == 1 && result.Stdout.Contains("REVOKED", StringComparison.Ordinal);
    }

    private static string Fingerprint(string line) => AuthorizedKeyLineParser.Parse(line).Key!.Sha256Fingerprint;

    private static (byte[] Bytes, RegistrySnapshot Parsed) Snapshot(string[] revoked, object[] certificates)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["schema"] = "keyagentd.registry/v1",
            ["serial"] = 5,
            ["people"] = new Dictionary<string, object>(),
            ["accounts"] = new Dictionary<string, object>(),
            ["revoked"] = revoked,
            ["revoked_certificates"] = certificates,
        }));
        Assert.True(RegistrySnapshotParser.TryParse(bytes, out var snapshot, out var error), error?.Message);
        return (bytes, snapshot);
    }
}
