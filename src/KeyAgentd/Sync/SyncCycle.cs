using System.Diagnostics;
using KeyAgentd.Audit;
using KeyAgentd.State;

namespace KeyAgentd.Sync;

/// <summary>What one cycle carries from stage to stage: its clock, the status it updates and the audit records it collects.</summary>
internal sealed class SyncCycle(DateTimeOffset now, SyncStatus status, string host, SyncOptions options)
{
    public DateTimeOffset Now { get; } = now;

    public SyncStatus Status { get; } = status;

    public SyncOptions Options { get; } = options;

    public Stopwatch Clock { get; } = Stopwatch.StartNew();

    public StageTimes Stages { get; } = new();

    public List<AuditRecord> Records { get; } = [];

    /// <summary>The host's trust as the cycle found it (null until read).</summary>
    public HostTrust? Trust { get; set; }

    /// <summary>What trust-state.json is to hold once the cycle ends: raised by what it accepted, saved if it changed.</summary>
    public TrustState? TrustAfter { get; set; }

    public AuditRecord Record(AuditAction action, long? serial) => new() { Time = Now, Action = action.ToCode(), Host = host, Serial = serial };
}
