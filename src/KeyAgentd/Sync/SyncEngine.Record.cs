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
        var replaced = planned.Plans.Where(p => planned.UnsafeFiles.ContainsKey(p.Account)).Select(p => (p.Account, planned.UnsafeFiles[p.Account]));
        AuditAside(() =>
        {
            if (!_audit.Intend(cycle.Records.Concat(ChangeRecords(cycle, serial, plan, planned.Plans, replaced))))
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
        cycle.Records.AddRange(ChangeRecords(cycle, serial, plan, applied.Done, applied.Replaced));
        if (source.Fresh)
        {
            cycle.Records.AddRange(plan.Rejections.Select(r => cycle.Record(AuditAction.KeyRejected, serial) with
            {
                Account = r.Account,
                Owner = r.Owner,
                Label = r.Label,
                Fingerprint = r.Fingerprint,
                Reason = r.Verdict.Code,
                Message = r.Verdict.Message,
                Line = r.KeyText,
            }));
        }
        var before = cycle.Status.AccountFailures;
        foreach (var failure in failures)
        {
            // A refusal that persists is reported once, when it starts or changes.
            if (!before.TryGetValue(failure.Account, out var was) || was != failure)
            {
                cycle.Records.Add(cycle.Record(AuditAction.AccountRefused, serial) with { Account = failure.Account, Reason = failure.Code, Message = failure.Message });
                LogRefused(_logger, failure.Account, failure.Code, failure.Message);
            }
        }
    }

    /// <summary>
    /// The records of file changes: the removal approval that let them through, unsafe files replaced, and
    /// one record per key added and removed. Of the plans carried out (the outcome) or of all of them (the intent).
    /// </summary>
    private static IEnumerable<AuditRecord> ChangeRecords(SyncCycle cycle, long serial, SyncPlan plan, IEnumerable<AccountPlan> plans, IEnumerable<(string Account, FileRefusal Refusal)> replaced)
    {
        if (plan.Guard.ApprovedBy is not null)
        {
            yield return cycle.Record(AuditAction.RemovalApproved, serial) with { Reason = "removal-approval", Message = plan.Guard.Describe() };
        }
        foreach (var (account, refusal) in replaced)
        {
            yield return cycle.Record(AuditAction.FileReplaced, serial) with
            {
                Account = account,
                Reason = refusal.Code,
                Message = $"{refusal.Message}: replaced by a regular file without reading it",
            };
        }
        foreach (var done in plans)
        {
            if (done.Mode != OwnershipMode.Report || done.Changed)
            {
                foreach (var record in KeyRecords(cycle, done, serial, done.Mode == OwnershipMode.Report ? "report mode: drift not corrected" : null))
                {
                    yield return record;
                }
            }
        }
    }

    /// <summary>One record per added and removed key; a removed line is kept whole so nothing is lost.</summary>
    private static IEnumerable<AuditRecord> KeyRecords(SyncCycle cycle, AccountPlan plan, long serial, string? note)
    {
        foreach (var key in plan.Added)
        {
            yield return cycle.Record(AuditAction.KeyAdded, serial) with
            {
                Account = plan.Account,
                Fingerprint = key.Key.Sha256Fingerprint,
                Type = key.Key.TypeName,
                Bits = key.Key.Bits,
                Owner = key.Owner,
                Label = key.Label,
                Reason = "granted",
                Message = note,
            };
        }
        foreach (var line in plan.Removed.Concat(plan.Retired))
        {
            yield return cycle.Record(AuditAction.KeyRemoved, serial) with
            {
                Account = plan.Account,
                Fingerprint = line.Key?.Sha256Fingerprint,
                Type = line.Key?.TypeName,
                Bits = line.Key?.Bits,
                Reason = line.Reason.ToCode(),
                Message = note ?? line.Detail ?? (line.Reason == RemovalReason.DeliveryOff ? DeliveryOffMessage : null),
                Line = line.RawLine,
            };
        }
    }

    private const string DeliveryOffMessage =
        "Delivery:AuthorizedKeysFiles is false: taken out of authorized_keys, which keyagentd no longer maintains (keyagentd-keys serves what the registry still grants)";

    /// <summary>Stage 9b: the state the next cycle starts from (managed set, last-known-good snapshot, status fields).</summary>
    private void RecordState(SyncCycle cycle, AcquiredSnapshot source, SyncPlan plan, AccountSelection selection, IReadOnlyList<AccountFailure> failures, Applied applied)
    {
        var snapshot = source.Snapshot!;
        if (source.Fresh)
        {
            cycle.Records.AddRange(selection.Missing.Select(m => cycle.Record(AuditAction.AccountMissing, snapshot.Serial) with
            {
                Account = m,
                Reason = "account-missing",
                Message = "no such local account",
            }));
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
