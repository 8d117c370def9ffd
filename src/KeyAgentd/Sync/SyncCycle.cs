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

    /// <summary>Sequences of records added by <see cref="AddProduced"/>, each with the count of <see cref="Records"/> it follows.</summary>
    private readonly List<(int After, IEnumerable<AuditRecord> Records)> _produced = [];

    /// <summary>
    /// Records made from what the cycle holds anyway (its plans, their outcome, the rejections), produced only as
    /// they are written: a first sync's 50,000 key records are never in memory at once. The sequence must not
    /// depend on anything that changes before the cycle's end.
    /// </summary>
    public void AddProduced(IEnumerable<AuditRecord> records) => _produced.Add((Records.Count, records));

    /// <summary>Every record of the cycle, in the order added.</summary>
    public IEnumerable<AuditRecord> AllRecords()
    {
        int next = 0;
        for (int i = 0; i <= Records.Count; i++)
        {
            for (; next < _produced.Count && _produced[next].After == i; next++)
            {
                foreach (var record in _produced[next].Records)
                {
                    yield return record;
                }
            }
            if (i < Records.Count)
            {
                yield return Records[i];
            }
        }
    }

    /// <summary>The host's trust as the cycle found it (null until read).</summary>
    public HostTrust? Trust { get; set; }

    /// <summary>What trust-state.json is to hold once the cycle ends: raised by what it accepted, saved if it changed.</summary>
    public TrustState? TrustAfter { get; set; }

    public AuditRecord Record(AuditAction action, long? serial) => new() { Time = Now, Action = action.ToCode(), Host = host, Serial = serial };
}
