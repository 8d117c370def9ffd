using System.Text.Json.Nodes;
using KeyAgentd.Sync;
using KeyAgentd.Tests.Support;
using KeyAgentd.Tests.Sync;
using static KeyAgentd.Tests.Sync.SignedSandbox;

namespace KeyAgentd.Tests.Fetch;

/// <summary>A signed registry behind a real nginx: the .sig fetched beside the snapshot, a 304 re-using the saved one, the main refusals.</summary>
[Trait("Category", "Integration")]
public class NginxSignedRegistryTests
{
    private static int s_publications;

    private static void Publish(NginxServer nginx, string json, byte[]? signature)
    {
        string path = Path.Combine(nginx.Root, "web-1.example.com.json");
        File.WriteAllText(path + ".tmp", json);
        // nginx's ETag is mtime (seconds) and size: two same-sized documents published within one
        // second would share it and the second poll would be a 304. Each publication gets its own second.
        File.SetLastWriteTimeUtc(path + ".tmp", new DateTime(2026, 11, 21, 0, 0, 0, DateTimeKind.Utc).AddSeconds(Interlocked.Increment(ref s_publications)));
        File.Move(path + ".tmp", path, overwrite: true);
        if (signature is null)
        {
            File.Delete(path + ".sig");
            return;
        }
        File.WriteAllBytes(path + ".sig.tmp", signature);
        File.Move(path + ".sig.tmp", path + ".sig", overwrite: true);
    }

    [NginxFact]
    public async Task Signed_snapshot_over_http_then_each_main_refusal_changes_nothing()
    {
        using var nginxDir = new TempDirectory();
        using var nginx = new NginxServer(nginxDir.Path);
        // {hostname} is Host:Name, the same identity the audience is checked against.
        using var sandbox = new SignedSandbox(registryUrl: $"http://127.0.0.1:{nginx.Port}/{{hostname}}.json");
        string doc2 = Doc(2);
        Publish(nginx, doc2, Release.Sign(doc2));

        var first = await sandbox.Box.SyncAsync();
        Assert.True(first.Outcome == SyncOutcome.Ok, SyncSummary.Render(first));
        var second = await sandbox.Box.SyncAsync();
        Assert.True(second.Outcome == SyncOutcome.Ok, SyncSummary.Render(second));
        var log = nginx.AccessLogWith(2, l => l.Contains("GET /web-1.example.com.json ", StringComparison.Ordinal));
        Assert.Contains(log, l => l.Contains("GET /web-1.example.com.json.sig ", StringComparison.Ordinal) && l.Contains(" 200 ", StringComparison.Ordinal));
        Assert.Contains(" 304 ", log[^1], StringComparison.Ordinal);
        Assert.Equal(1, log.Count(l => l.Contains(".sig ", StringComparison.Ordinal)));

        var refusals = new (string Reason, string Json, Func<string, byte[]?> Sign)[]
        {
            ("signature-missing", Doc(3), _ => null),
            ("signature-invalid", Doc(3), _ => Release.Sign(Doc(4))),
            ("signer-unknown", Doc(3), d => Stranger.Sign(d)),
            ("audience-mismatch", Doc(3, d => d["audience"] = new JsonArray("db-*")), d => Release.Sign(d)),
            ("rollback", Doc(1), d => Release.Sign(d)),
            ("equivocation", Doc(2, d => d["revoked"] = new JsonArray()), d => Release.Sign(d)),
        };
        foreach (var (reason, json, sign) in refusals)
        {
            var before = sandbox.ProtectedFiles();
            Publish(nginx, json, sign(json));
            var result = await sandbox.Box.SyncAsync();
            Assert.True(result.RegistryProblem?.Code == reason, $"{reason}: {SyncSummary.Render(result)}");
            Assert.Equal(before, sandbox.ProtectedFiles());
            var status = sandbox.Box.State.LoadStatus();
            Assert.Equal(1, status.RegistryErrors[reason]);
            Assert.Equal(reason, (string?)sandbox.Box.AuditRecords().Last(r => (string?)r["action"] == "snapshot-refused")["reason"]);
            Assert.Contains($"keyagentd_registry_errors_total{{kind=\"{reason}\"}} 1\n", sandbox.Metrics, StringComparison.Ordinal);
        }

        string doc5 = Doc(5);
        Publish(nginx, doc5, Release.Sign(doc5));
        var back = await sandbox.Box.SyncAsync();
        Assert.True(back.Outcome == SyncOutcome.Ok, SyncSummary.Render(back));
        Assert.Equal(5, sandbox.Box.State.LoadStatus().SnapshotSerial);
    }
}
