using KeyAgentd.Audit;
using KeyAgentd.Core.Snapshot;
using KeyAgentd.State;
using KeyAgentd.Storage;
using KeyAgentd.Sync;
using static KeyAgentd.Sync.SyncLog;

namespace KeyAgentd.Verify;

internal sealed partial class SnapshotAcquirer
{
    // The audit log's tail is read again only when the log changed: most cycles append nothing.
    private (FileIdentity Identity, AuditTrustEvidence Evidence)? _auditEvidence;

    /// <summary>Stage 1a: the host's trust (rollback floor, sticky enforcement) from every place that keeps it.</summary>
    private HostTrust ReadHostTrust(SyncCycle cycle)
    {
        if (cycle.Status.Damaged is { } damaged)
        {
            LogStatusDamaged(logger, damaged);
        }
        var trust = HostTrust.Read(state, audit.Path, cycle.Status, AuditEvidence());
        if (trust.File.Problem is { } problem)
        {
            LogTrustState(logger, $"{problem}; every snapshot is refused ({SyncEngine.TrustStateUnusable}) until `keyagentd trust reset-serial --to N`");
        }
        if (trust.Audit.Ignored is { } ignored)
        {
            LogTrustState(logger, ignored);
        }
        cycle.Trust = trust;
        cycle.TrustAfter = trust.Persisted;
        return trust;
    }

    private AuditTrustEvidence AuditEvidence()
    {
        if (!FileIdentity.TryOf(audit.Path, out var identity))
        {
            _auditEvidence = null;
            return AuditTrustEvidence.None;
        }
        if (_auditEvidence is { } last && last.Identity == identity)
        {
            return last.Evidence;
        }
        var evidence = AuditTrustEvidence.Read(audit.Path);
        _auditEvidence = identity.IsSettled(DateTimeOffset.UtcNow) ? (identity, evidence) : null;
        return evidence;
    }

    /// <summary>
    /// The floor a fetched snapshot must reach. Under enforce only verified acceptances count (trust-state.json,
    /// the audit log, the verified last-known-good): a serial accepted unverified never blocks a signed one.
    /// Under off and report every accepted serial counts.
    /// </summary>
    private static SerialMark? FloorBefore(SignatureSetup setup, HostTrust trust) =>
        setup.Mode == SignatureMode.Enforce ? trust.VerifiedFloor : trust.AnyFloor;

    /// <summary>Stage 9c: a snapshot accepted raises the floor it counts toward; one accepted with verified signatures makes signatures required.</summary>
    private static void RaiseFloor(SyncCycle cycle, RegistrySnapshot snapshot, SnapshotCheck? check)
    {
        bool verified = check?.Signature is { IsAccepted: true };
        var after = cycle.TrustAfter!.Accepted(new SerialMark(snapshot.Serial, check?.Sha256), verified);
        cycle.TrustAfter = verified ? after.RequiringSignatures(cycle.Now) : after;
    }

    /// <summary>
    /// Saved before the audit append and status: the floor is what stops a replay, so it reaches the disk
    /// with the snapshot that raised it. A damaged file is never overwritten here: only `trust reset-serial` replaces it.
    /// </summary>
    public void SaveTrust(SyncCycle cycle)
    {
        if (cycle.Options.DryRun || cycle.Trust is not { File.IsDamaged: false } trust || cycle.TrustAfter is not { } after)
        {
            return;
        }
        if (trust.File.State != after)
        {
            new TrustStateStore(state.Directory).Save(after);
        }
    }
}
