using System.Text.Json.Nodes;
using KeyAgentd.Sync;
using static KeyAgentd.Tests.Sync.SignedSandbox;

namespace KeyAgentd.Tests.Sync;

/// <summary>Registry:Signatures: enforce by default once allowed_signers exists, report, off, and the unauthenticated host.</summary>
public class SignedRegistryModeTests
{
    [Fact]
    public async Task Accepted_snapshot_names_its_signers_in_status_audit_and_metrics()
    {
        using var sandbox = new SignedSandbox();
        string doc = Doc(2);
        sandbox.PublishSigned(doc, Release, Second);

        var result = await sandbox.Box.SyncAsync();

        Assert.True(result.Outcome == SyncOutcome.Ok, SyncSummary.Render(result));
        var status = sandbox.Box.State.LoadStatus();
        Assert.Equal("enforce", status.Signatures);
        Assert.False(status.Unauthenticated);
        Assert.Equal("accepted", status.SignatureVerdict);
        Assert.Equal(["release@example.com", "second@example.com"], status.SnapshotSigners.Select(s => s.Principals));
        Assert.Equal([Release.Fingerprint, Second.Fingerprint], status.SnapshotSigners.Select(s => s.Fingerprint));
        string sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(SignedRegistryRefusalTests.Utf8(doc)));
        Assert.Equal(sha256, status.SnapshotSha256);
        var accepted = sandbox.Box.AuditRecords().Single(r => (string?)r["action"] == "snapshot-accepted");
        Assert.Equal("accepted", (string?)accepted["reason"]);
        Assert.Equal(sha256, (string?)accepted["snapshot_sha256"]);
        Assert.Equal(["release@example.com", "second@example.com"], accepted["signers"]!.AsArray().Select(n => (string?)n));
        Assert.Equal([Release.Fingerprint, Second.Fingerprint], accepted["signer_fingerprints"]!.AsArray().Select(n => (string?)n));
        Assert.Contains("keyagentd_snapshot_signature_valid 1\n", sandbox.Metrics, StringComparison.Ordinal);
        Assert.Equal(sandbox.SignaturePath is var p ? File.ReadAllBytes(p) : null, File.ReadAllBytes(Path.Combine(sandbox.Box.Settings.State.Directory, "snapshot.json.sig")));

        var output = new StringWriter();
        KeyAgentd.Cli.StatusCommand.Run(sandbox.Box.State, json: false, sandbox.Box.Time.GetUtcNow(), output);
        Assert.Contains($"signed by release@example.com (ssh-ed25519 {Release.Fingerprint})", output.ToString(), StringComparison.Ordinal);
        var json = new StringWriter();
        KeyAgentd.Cli.StatusCommand.Run(sandbox.Box.State, json: true, sandbox.Box.Time.GetUtcNow(), json);
        var document = JsonNode.Parse(json.ToString())!;
        Assert.Equal("enforce", (string?)document["signatures"]);
        Assert.Equal(sha256, (string?)document["snapshot_sha256"]);
        Assert.Equal(Second.Fingerprint, (string?)document["snapshot_signers"]![1]!["fingerprint"]);
    }

    [Fact]
    public async Task Without_allowed_signers_a_host_syncs_unsigned_snapshots_and_says_it_is_unauthenticated()
    {
        using var sandbox = new SignedSandbox();
        File.Delete(sandbox.AllowedSignersPath);
        sandbox.Publish(Doc(2), null);

        var result = await sandbox.Box.SyncAsync();

        Assert.True(result.Outcome == SyncOutcome.Ok, SyncSummary.Render(result));
        var status = sandbox.Box.State.LoadStatus();
        Assert.Equal("off", status.Signatures);
        Assert.True(status.Unauthenticated);
        Assert.Equal("unchecked", status.SignatureVerdict);
        Assert.Contains("keyagentd_registry_unauthenticated 1\n", sandbox.Metrics, StringComparison.Ordinal);
        Assert.Contains("keyagentd_snapshot_signature_valid 0\n", sandbox.Metrics, StringComparison.Ordinal);
        var output = new StringWriter();
        KeyAgentd.Cli.StatusCommand.Run(sandbox.Box.State, json: false, sandbox.Box.Time.GetUtcNow(), output);
        Assert.Contains("UNAUTHENTICATED", output.ToString(), StringComparison.Ordinal);

        // Installing the file is enough: the next unsigned snapshot is refused, and the unsigned
        // last-known-good is no longer trusted either; the files stay as they are.
        File.WriteAllText(sandbox.AllowedSignersPath, AllowedSigners);
        var before = sandbox.ProtectedFiles();
        sandbox.Publish(Doc(3), null);
        var enforced = await sandbox.Box.SyncAsync();
        Assert.Equal("signature-missing", enforced.RegistryProblem?.Code);
        Assert.Null(enforced.Serial);
        Assert.Equal(before, sandbox.ProtectedFiles());
        Assert.Equal("enforce", sandbox.Box.State.LoadStatus().Signatures);
    }

    [Fact]
    public async Task Report_mode_applies_a_bad_snapshot_and_audits_and_counts_the_verdict()
    {
        using var sandbox = new SignedSandbox(s => s.Registry.Signatures = "report");
        sandbox.PublishSigned(Doc(2, d => d["expires_at"] = "2027-11-21T10:00:00Z"), Stranger);

        var result = await sandbox.Box.SyncAsync();

        Assert.True(result.Outcome == SyncOutcome.Ok, SyncSummary.Render(result));
        var status = sandbox.Box.State.LoadStatus();
        Assert.Equal("report", status.Signatures);
        Assert.Equal("signer-unknown", status.SignatureVerdict);
        Assert.Equal(1, status.RegistryErrors["signer-unknown"]);
        var accepted = sandbox.Box.AuditRecords().Single(r => (string?)r["action"] == "snapshot-accepted");
        Assert.Equal("signer-unknown", (string?)accepted["reason"]);
        Assert.Contains("Registry:Signatures report", (string?)accepted["message"], StringComparison.Ordinal);
        Assert.Contains("keyagentd_snapshot_signature_valid 0\n", sandbox.Metrics, StringComparison.Ordinal);

        // The audience is about which host, not about trust: refused in every mode.
        sandbox.PublishSigned(Doc(3, d => d["audience"] = new JsonArray("db-*")), Release);
        Assert.Equal("audience-mismatch", (await sandbox.Box.SyncAsync()).RegistryProblem?.Code);
    }

    [Fact]
    public async Task Off_set_explicitly_applies_an_unsigned_snapshot_although_allowed_signers_exists()
    {
        using var sandbox = new SignedSandbox(s => s.Registry.Signatures = "off");
        sandbox.Publish(Doc(2), null);

        var result = await sandbox.Box.SyncAsync();

        Assert.True(result.Outcome == SyncOutcome.Ok, SyncSummary.Render(result));
        Assert.True(sandbox.Box.State.LoadStatus().Unauthenticated);
    }

    [Fact]
    public async Task Unreadable_trust_roots_under_enforce_refuse_the_snapshot()
    {
        using var sandbox = new SignedSandbox(s => s.Registry.Signatures = "enforce");
        File.Delete(sandbox.AllowedSignersPath);
        sandbox.PublishSigned(Doc(2), Release);

        var result = await sandbox.Box.SyncAsync();

        Assert.Equal(SyncOutcome.RegistryUnusable, result.Outcome);
        Assert.Equal("trust-roots-unusable", result.RegistryProblem?.Code);
        Assert.False(File.Exists(sandbox.Box.KeysPath("app")));
    }
}
