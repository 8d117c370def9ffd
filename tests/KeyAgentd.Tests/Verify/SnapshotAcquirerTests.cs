using KeyAgentd.Audit;
using KeyAgentd.Core.Snapshot;
using KeyAgentd.Expand;
using KeyAgentd.Fetch;
using KeyAgentd.Sync;
using KeyAgentd.Tests.Sync;
using KeyAgentd.Verify;
using Microsoft.Extensions.Logging.Abstractions;

namespace KeyAgentd.Tests.Verify;

/// <summary>Stage 1 alone: the fresh snapshot when it is usable, else the last-known-good one, always with the reason.</summary>
public sealed class SnapshotAcquirerTests : IDisposable
{
    private static readonly string AppKey = SshKeygen.Generate("ed25519", comment: "app");

    private readonly EngineSandbox _box = new(["app"]);

    public void Dispose() => _box.Dispose();

    private static string Doc(long serial) => EngineSandbox.Registry(serial, new() { ["app"] = [EngineSandbox.Key(AppKey, "someone")] });

    private SnapshotAcquirer Acquirer() => new(_box.Settings, new FileRegistrySource(_box.RegistryPath, _box.Settings.Registry.MaxBytes),
        new AuditLog(_box.Settings.Audit.Path, _box.State.AuditHeadPath), _box.State, new ExpansionMemo(), NullLogger.Instance);

    private SyncCycle Cycle() => new(_box.Time.GetUtcNow(), _box.State.LoadStatus(), _box.Settings.Host.ResolvedName, new SyncOptions());

    [Fact]
    public async Task A_readable_registry_gives_its_snapshot_fresh_with_its_bytes_and_an_accepted_record()
    {
        _box.WriteRegistry(Doc(3));
        var cycle = Cycle();

        var source = await Acquirer().AcquireAsync(cycle, default);

        Assert.Null(source.Problem);
        Assert.True(source.Fresh);
        Assert.Equal(3, source.Snapshot!.Serial);
        Assert.Equal(File.ReadAllBytes(_box.RegistryPath), source.Content);
        Assert.Contains(cycle.Records, r => r.Action == AuditAction.SnapshotAccepted.ToCode() && r.Serial == 3);
    }

    [Fact]
    public async Task With_the_registry_missing_and_no_last_known_good_there_is_no_snapshot_and_a_counted_reason()
    {
        var cycle = Cycle();

        var source = await Acquirer().AcquireAsync(cycle, default);

        Assert.Null(source.Snapshot);
        Assert.False(source.Fresh);
        Assert.NotNull(source.Problem);
        Assert.Equal(1, cycle.Status.RegistryErrors[source.Problem.Code]);
    }

    [Fact]
    public async Task With_the_registry_missing_the_last_known_good_is_used_and_the_reason_kept()
    {
        _box.WriteRegistry(Doc(1));
        Assert.Equal(SyncOutcome.Ok, (await _box.SyncAsync()).Outcome);
        File.Delete(_box.RegistryPath);

        var source = await Acquirer().AcquireAsync(Cycle(), default);

        Assert.Equal(1, source.Snapshot!.Serial);
        Assert.False(source.Fresh);
        Assert.NotNull(source.Problem);
    }

    [Fact]
    public async Task A_serial_below_the_one_applied_is_refused_as_a_rollback_and_the_last_known_good_kept()
    {
        _box.WriteRegistry(Doc(5));
        Assert.Equal(SyncOutcome.Ok, (await _box.SyncAsync()).Outcome);
        _box.WriteRegistry(Doc(4));
        var cycle = Cycle();

        var source = await Acquirer().AcquireAsync(cycle, default);

        Assert.Equal(5, source.Snapshot!.Serial);
        Assert.False(source.Fresh);
        Assert.Equal(SnapshotError.Rollback, source.Problem!.Code);
        Assert.Contains(cycle.Records, r => r.Action == AuditAction.SnapshotRefused.ToCode() && r.Reason == SnapshotError.Rollback);
    }
}
