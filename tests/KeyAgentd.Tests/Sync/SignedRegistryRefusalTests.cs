using System.Text;
using System.Text.Json.Nodes;
using KeyAgentd.Sync;
using KeyAgentd.Tests.Support;
using static KeyAgentd.Tests.Sync.SignedSandbox;

namespace KeyAgentd.Tests.Sync;

/// <summary>
/// Under enforce, every reason a snapshot can be refused, end to end through `sync` over file://:
/// a signed serial 2 is applied, then the bad publication changes no authorized_keys, no helper
/// cache file and not the KRL; the reason is in the result, status, the audit log and the metrics.
/// </summary>
public class SignedRegistryRefusalTests
{
    private static readonly DateTimeOffset Now = EngineSandbox.Issued.AddMinutes(5);

    /// <summary>reason → how the bad serial 3 (or older serial) is published.</summary>
    public static TheoryData<string, string> Refusals => new()
    {
        { "signature-missing", "no .sig" },
        { "signature-malformed", "truncated armor" },
        { "signature-malformed", "version 2" },
        { "signature-malformed", "version 0" },
        { "signature-malformed", "non-empty reserved field" },
        { "signature-malformed", "hash sha384" },
        { "signature-invalid", "flipped byte in the signature" },
        { "signature-invalid", "flipped byte in the snapshot" },
        { "signature-invalid", "signature of another document" },
        { "signer-unknown", "unknown signer" },
        { "signer-not-yet-valid", "signer valid after 2027" },
        { "signer-expired", "signer valid before 2026-11-01" },
        { "signer-revoked", "revoked signer" },
        { "namespace-mismatch", "signed for namespace file" },
        { "audience-mismatch", "audience db-*" },
        { "validity-too-long", "valid for 60 days" },
        { "issued-in-future", "issued in an hour" },
        { "missing-field", "no expires_at" },
        { "expired", "expired a minute ago" },
        { "rollback", "older signed serial replayed" },
        { "equivocation", "serial 2 again with other bytes" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task A_refused_snapshot_changes_nothing_and_says_why(string reason, string publication)
    {
        using var sandbox = new SignedSandbox();
        await AppliedAsync(sandbox);
        var before = sandbox.ProtectedFiles();
        byte[] lastKnownGood = sandbox.Box.State.LoadSnapshot()!;

        PublishBad(sandbox, publication);
        var result = await sandbox.Box.SyncAsync();

        Assert.True(result.Outcome == SyncOutcome.RegistryUnusable, $"{publication}: {SyncSummary.Render(result)}");
        Assert.Equal(reason, result.RegistryProblem?.Code);
        Assert.Equal(2, result.Serial);
        foreach (var (path, bytes) in sandbox.ProtectedFiles())
        {
            Assert.True(before[path].AsSpan().SequenceEqual(bytes), $"{publication}: {path} changed:\n{Text(before[path])}\n→\n{Text(bytes)}");
        }
        Assert.Equal(lastKnownGood, sandbox.Box.State.LoadSnapshot());
        AssertReported(sandbox, reason);
    }

    [Fact]
    public async Task Threshold_two_refuses_one_signer_and_one_signer_twice()
    {
        using var sandbox = new SignedSandbox(s => s.Registry.SignatureThreshold = 2);
        sandbox.PublishSigned(Doc(2), Release, Second);
        var first = await sandbox.Box.SyncAsync();
        Assert.True(first.Outcome == SyncOutcome.Ok, SyncSummary.Render(first));
        Assert.Equal(2, sandbox.Box.State.LoadStatus().SnapshotSigners.Count);
        var before = sandbox.ProtectedFiles();

        sandbox.PublishSigned(Doc(3), Release);
        var one = await sandbox.Box.SyncAsync();
        Assert.Equal("threshold-not-met", one.RegistryProblem?.Code);

        string doc4 = Doc(4);
        sandbox.Publish(doc4, [.. Release.Sign(doc4), .. Release.Sign(doc4)]);
        var twice = await sandbox.Box.SyncAsync();
        Assert.Equal("threshold-not-met", twice.RegistryProblem?.Code);
        Assert.Equal(before, sandbox.ProtectedFiles());
        Assert.Equal(2, sandbox.Box.State.LoadStatus().RegistryErrors["threshold-not-met"]);
        Assert.Contains("keyagentd_registry_errors_total{kind=\"threshold-not-met\"} 2\n", sandbox.Metrics, StringComparison.Ordinal);
    }

    internal static async Task AppliedAsync(SignedSandbox sandbox)
    {
        sandbox.PublishSigned(Doc(2), Release);
        var first = await sandbox.Box.SyncAsync();
        Assert.True(first.Outcome == SyncOutcome.Ok, SyncSummary.Render(first));
        Assert.Contains(AppKey, File.ReadAllText(sandbox.Box.KeysPath("app")), StringComparison.Ordinal);
        Assert.True(File.Exists(sandbox.KrlPath));
    }

    internal static void AssertReported(SignedSandbox sandbox, string reason)
    {
        var status = sandbox.Box.State.LoadStatus();
        Assert.Equal("registry-unusable", status.Outcome);
        Assert.StartsWith(reason + ":", status.LastRegistryError, StringComparison.Ordinal);
        Assert.Equal(1, status.RegistryErrors[reason]);
        Assert.Equal(2, status.SnapshotSerial);
        Assert.Equal("accepted", status.SignatureVerdict);
        var refused = sandbox.Box.AuditRecords().Last(r => (string?)r["action"] == "snapshot-refused");
        Assert.Equal(reason, (string?)refused["reason"]);
        Assert.Equal(64, ((string?)refused["snapshot_sha256"])?.Length);
        string metrics = sandbox.Metrics;
        Assert.Contains($"keyagentd_registry_errors_total{{kind=\"{reason}\"}} 1\n", metrics, StringComparison.Ordinal);
        Assert.Contains("keyagentd_snapshot_signature_valid 1\n", metrics, StringComparison.Ordinal);
        Assert.Contains("keyagentd_registry_unauthenticated 0\n", metrics, StringComparison.Ordinal);
    }

    private static void PublishBad(SignedSandbox sandbox, string publication)
    {
        string doc = Doc(3);
        switch (publication)
        {
            case "no .sig":
                sandbox.Publish(doc, null);
                break;
            case "truncated armor":
                byte[] sig = Release.Sign(doc);
                sandbox.Publish(doc, sig[..(sig.Length / 2)]);
                break;
            case "version 2":
                sandbox.Publish(doc, RegistrySigner.WithVersion(Release.Sign(doc), 2));
                break;
            case "version 0":
                sandbox.Publish(doc, RegistrySigner.WithVersion(Release.Sign(doc), 0));
                break;
            case "non-empty reserved field":
                sandbox.Publish(doc, RegistrySigner.Mutate(Release.Sign(doc), (v, f) => (v, [f[0], f[1], [0x01], f[3], f[4]])));
                break;
            case "hash sha384":
                sandbox.Publish(doc, RegistrySigner.Mutate(Release.Sign(doc), (v, f) => (v, [f[0], f[1], f[2], "sha384"u8.ToArray(), f[4]])));
                break;
            case "flipped byte in the signature":
                sandbox.Publish(doc, RegistrySigner.Mutate(Release.Sign(doc), (v, f) =>
                {
                    f[4][^1] ^= 0x01;
                    return (v, f);
                }));
                break;
            case "flipped byte in the snapshot":
                sandbox.Publish(doc.Replace("carol@example.com", "carol@example.org", StringComparison.Ordinal), Release.Sign(doc));
                break;
            case "signature of another document":
                sandbox.Publish(doc, Release.Sign(Doc(2)));
                break;
            case "unknown signer":
                sandbox.PublishSigned(doc, Stranger);
                break;
            case "signer valid after 2027":
                sandbox.PublishSigned(doc, Future);
                break;
            case "signer valid before 2026-11-01":
                sandbox.PublishSigned(doc, Retired);
                break;
            case "revoked signer":
                sandbox.PublishSigned(doc, Compromised);
                break;
            case "signed for namespace file":
                sandbox.Publish(doc, Release.Sign(doc, "file"));
                break;
            default:
                sandbox.PublishSigned(SignedDocument(publication), Release);
                break;
        }
    }

    /// <summary>Documents that are validly signed and wrong in what the signature binds.</summary>
    private static string SignedDocument(string publication) => publication switch
    {
        "audience db-*" => Doc(3, d => d["audience"] = new JsonArray("db-*")),
        "valid for 60 days" => Doc(3, d => d["expires_at"] = Stamp(EngineSandbox.Issued.AddDays(60))),
        "issued in an hour" => Doc(3, d => d["issued_at"] = Stamp(Now.AddHours(1))),
        "no expires_at" => Doc(3, d => d.Remove("expires_at")),
        "expired a minute ago" => Doc(3, d => d["expires_at"] = Stamp(Now.AddMinutes(-1))),
        "older signed serial replayed" => Doc(1),
        "serial 2 again with other bytes" => Doc(2, d => d["revoked"] = new JsonArray()),
        _ => throw new ArgumentOutOfRangeException(nameof(publication), publication, null),
    };

    private static string Stamp(DateTimeOffset when) => when.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);

    internal static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
