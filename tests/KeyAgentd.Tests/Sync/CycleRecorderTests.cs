using KeyAgentd.Audit;
using KeyAgentd.Core.Snapshot;
using KeyAgentd.Sync;
using Microsoft.Extensions.Logging.Abstractions;

namespace KeyAgentd.Tests.Sync;

/// <summary>The end of a cycle alone: its audit records, then status.json and the metrics textfile.</summary>
public sealed class CycleRecorderTests : IDisposable
{
    private const string Location = "file:///srv/registry.json";

    private readonly EngineSandbox _box = new(["app"]);

    public void Dispose() => _box.Dispose();

    private CycleRecorder Recorder() => new(_box.Settings, Location, new AuditLog(_box.Settings.Audit.Path, _box.State.AuditHeadPath), _box.State, NullLogger.Instance);

    private SyncCycle Cycle() => new(_box.Time.GetUtcNow(), _box.State.LoadStatus(), _box.Settings.Host.ResolvedName, new SyncOptions());

    [Fact]
    public void An_ok_cycle_appends_its_records_and_saves_its_status_and_metrics()
    {
        var cycle = Cycle();
        cycle.Records.Add(cycle.Record(AuditAction.KeyAdded, 4) with { Account = "app" });
        var result = new SyncResult(SyncOutcome.Ok, SyncCounts.None) { Serial = 4 };

        Assert.Same(result, Recorder().Record(cycle, result));

        Assert.Contains(_box.AuditRecords(), r => (string?)r["action"] == AuditAction.KeyAdded.ToCode() && (string?)r["account"] == "app");
        var status = _box.State.LoadStatus();
        Assert.Equal(("ok", Location, (DateTimeOffset?)cycle.Now), (status.Outcome, status.Registry, status.LastSuccess));
        Assert.Contains("keyagentd_", File.ReadAllText(_box.Settings.Metrics.TextfilePath!), StringComparison.Ordinal);
    }

    [Fact]
    public void A_cycle_that_could_not_use_the_registry_records_the_reason_and_is_no_success()
    {
        var cycle = Cycle();
        var result = new SyncResult(SyncOutcome.RegistryUnusable, SyncCounts.None) { RegistryProblem = new SnapshotError("unreachable", "down") };

        Recorder().Record(cycle, result);

        var status = _box.State.LoadStatus();
        Assert.Equal(("registry-unusable", "unreachable", (DateTimeOffset?)cycle.Now), (status.Outcome, status.RegistryProblem, status.LastAttempt));
        Assert.Null(status.LastSuccess);
    }
}
