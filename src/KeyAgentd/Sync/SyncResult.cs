using KeyAgentd.Core.Planning;
using KeyAgentd.Core.Snapshot;

namespace KeyAgentd.Sync;

/// <summary>
/// The outcome of one cycle, as fields. People get it through <see cref="SyncSummary"/>; code reads
/// the fields (the CLI maps <see cref="Outcome"/> to an exit code, status and metrics record it).
/// </summary>
public sealed record SyncResult(SyncOutcome Outcome, SyncCounts Counts)
{
    /// <summary>Computed and shown, nothing written.</summary>
    public bool DryRun { get; init; }

    /// <summary>The serial of the snapshot applied (or that would have been); null when there was none.</summary>
    public long? Serial { get; init; }

    /// <summary>Why the registry's answer was not used, when it was not (the last-known-good snapshot may still have been applied).</summary>
    public SnapshotError? RegistryProblem { get; init; }

    /// <summary>The snapshot applied is past its expires_at.</summary>
    public bool Stale { get; init; }

    public IReadOnlyList<AccountFailure> Failures { get; init; } = [];

    public IReadOnlyList<string> Missing { get; init; } = [];

    public SyncPlan? Plan { get; init; }
}
