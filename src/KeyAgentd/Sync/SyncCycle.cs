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

    public List<AuditRecord> Records { get; } = [];

    public AuditRecord Record(string action, long? serial) => new() { Time = Now, Action = action, Host = host, Serial = serial };
}
