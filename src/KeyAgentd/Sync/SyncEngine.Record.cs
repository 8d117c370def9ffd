using KeyAgentd.Accounts;
using KeyAgentd.Audit;
using KeyAgentd.Core.Planning;
using KeyAgentd.Expand;
using KeyAgentd.Homes;
using KeyAgentd.State;
using KeyAgentd.Verify;
using static KeyAgentd.Sync.SyncLog;

namespace KeyAgentd.Sync;

public sealed partial class SyncEngine
{
    /// <summary>
    /// Stage 7: the changes about to be made, stated in the audit's intent before the first file is touched,
    /// so a cycle stopped part-way still leaves them in the log (unconfirmed) for the next one to append.
    /// </summary>
    private void IntendChanges(SyncCycle cycle, long serial, SyncPlan plan, PlannedAccounts planned)
    {
        AuditAside(() =>
        {
            if (!_audit.Intend(cycle.AllRecords().Concat(ChangeRecords.Intended(cycle, serial, plan, planned))))
            {
                LogAuditAside(_logger, $"{_audit.IntentPath} of an earlier cycle is not yet settled; this cycle's changes are recorded only once made");
            }
        });
    }

    /// <summary>
    /// Settling the audit and stating an intent make a stop safe; neither may hold back the cycle. With the
    /// audit's disk full or read-only, revocations still go out (the outcome's append then fails the cycle, as before).
    /// </summary>
    private void AuditAside(Action step)
    {
        try
        {
            step();
        }
        catch (IOException e)
        {
            LogAuditAside(_logger, e.Message);
        }
    }

    /// <summary>Stage 9a: the audit records of what was applied. News about the snapshot is recorded once per snapshot, not every minute.</summary>
    private void RecordChanges(SyncCycle cycle, AcquiredSnapshot source, SyncPlan plan, IReadOnlyList<AccountFailure> failures, Applied applied)
    {
        long serial = source.Snapshot!.Serial;
        if (plan.Guard.ApprovedBy is { } approval)
        {
            LogRemovalApproved(_logger, approval.Serial, approval.Reason);
        }
        cycle.AddProduced(ChangeRecords.Made(cycle, serial, plan, applied));
        if (source.Fresh)
        {
            cycle.AddProduced(ChangeRecords.Rejected(cycle, serial, plan.Rejections));
        }
        foreach (var failure in ChangeRecords.NewRefusals(cycle.Status.AccountFailures, failures))
        {
            cycle.Records.Add(ChangeRecords.Refused(cycle, serial, failure));
            LogRefused(_logger, failure.Account, failure.Code, failure.Message);
        }
    }

    /// <summary>Stage 9b: the state the next cycle starts from (managed set, last-known-good snapshot, status fields).</summary>
    private void RecordState(SyncCycle cycle, AcquiredSnapshot source, SyncPlan plan, AccountSelection selection, IReadOnlyList<AccountFailure> failures, Applied applied)
    {
        var snapshot = source.Snapshot!;
        if (source.Fresh)
        {
            cycle.AddProduced(ChangeRecords.Missing(cycle, snapshot.Serial, selection.Missing));
        }
        // The managed set only grows: an account dropped by the registry stays managed so its keys go.
        var managedNow = selection.Managed.Select(a => a.Name).Concat(selection.ManagedBefore.Intersect(selection.Missing)).ToList();
        new ManagedSetStore(_state.Directory).Save(managedNow);
        RecordFileAccounts(selection, applied, managedNow);
        var status = cycle.Status;
        if (source.Fresh && source.Content is not null)
        {
            _state.SaveSnapshot(source.Content, source.Signature);
            _acquirer.Saved(cycle, source);
            _memo.RememberSnapshot(source.Content, snapshot);
            status.ETag = source.ETag;
            status.SnapshotAcceptedAt = cycle.Now;
            RecordSigners(status, source.Check);
        }
        status.SnapshotSerial = snapshot.Serial;
        status.SnapshotIssuedAt = snapshot.IssuedAt;
        status.SnapshotExpiresAt = snapshot.ExpiresAt;
        status.AccountKeys = new SortedDictionary<string, int>(applied.Done.ToDictionary(p => p.Account, p => p.KeyCount), StringComparer.Ordinal);
        status.AccountFailures = new SortedDictionary<string, AccountFailure>(
            failures.ToDictionary(f => f.Account), StringComparer.Ordinal);
        status.AccountsMissing = [.. selection.Missing];
        status.RejectedKeys = new SortedDictionary<string, int>(
            plan.Rejections.GroupBy(r => r.Verdict.Code).ToDictionary(g => g.Key, g => g.Count()), StringComparer.Ordinal);
    }

    /// <summary>
    /// file-accounts.json: with file delivery, every managed account (each has its authorized_keys maintained);
    /// with it off, those whose file may still hold what keyagentd wrote, less the ones emptied of it this cycle
    /// and those with no local account left (no home to clean). Once empty, no home is read again.
    /// </summary>
    private void RecordFileAccounts(AccountSelection selection, Applied applied, IEnumerable<string> managedNow)
    {
        var store = new ManagedSetStore(_state.Directory, ManagedSetStore.FileAccountsFileName);
        if (_settings.Delivery.AuthorizedKeysFiles)
        {
            store.Save(managedNow);
            return;
        }
        var pending = new HashSet<string>(selection.FilesBefore, StringComparer.Ordinal);
        pending.ExceptWith(applied.Done.Where(p => p.FileRetired).Select(p => p.Account));
        pending.ExceptWith(selection.Missing);
        if (!store.Exists || selection.FilesBeforeDamaged || !pending.SetEquals(selection.FilesBefore))
        {
            store.Save(pending);
        }
    }

    /// <summary>Who vouched for the snapshot now in use, for `status` and the metrics.</summary>
    private static void RecordSigners(SyncStatus status, SnapshotCheck? check)
    {
        status.SnapshotSha256 = check?.Sha256;
        status.SignatureVerdict = check?.SignatureVerdict;
        status.SnapshotSigners = check?.Signature is { } decision
            ? [.. decision.Signatures.Where(s => s.CountsTowardThreshold).Select(s => new SnapshotSigner(s.Principals!, s.KeyType!, s.Fingerprint!))]
            : [];
    }
}
