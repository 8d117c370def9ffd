using KeyAgentd.Audit;
using KeyAgentd.Core.Planning;
using KeyAgentd.Core.Snapshot;
using KeyAgentd.Homes;
using KeyAgentd.State;

namespace KeyAgentd.Sync;

/// <summary>
/// What a cycle's stages tell the audit log, as data: the changes it intends (stage 7) and made (stage 9),
/// the registry entries it refused, the accounts it could not serve or find, and the state directory's
/// repairs. Pure: records in, records out, stamped by the cycle (time, host) with the snapshot's serial;
/// the orchestrator decides when they are written and logs alongside them.
/// </summary>
internal static class ChangeRecords
{
    public const string DeliveryOffMessage =
        "Delivery:AuthorizedKeysFiles is false: taken out of authorized_keys, which keyagentd no longer maintains (keyagentd-keys serves what the registry still grants)";

    /// <summary>
    /// Stage 7: the changes about to be made, every plan and every unsafe file to be replaced, so a cycle
    /// stopped part-way still leaves them in the audit's intent for the next one to append.
    /// </summary>
    public static IEnumerable<AuditRecord> Intended(SyncCycle cycle, long serial, SyncPlan plan, PlannedAccounts planned)
    {
        var replaced = planned.Plans.Where(p => planned.UnsafeFiles.ContainsKey(p.Account)).Select(p => (p.Account, planned.UnsafeFiles[p.Account]));
        return Changes(cycle, serial, plan, planned.Plans, replaced);
    }

    /// <summary>Stage 9: the changes made, of the plans carried out.</summary>
    public static IEnumerable<AuditRecord> Made(SyncCycle cycle, long serial, SyncPlan plan, Applied applied) =>
        Changes(cycle, serial, plan, applied.Done, applied.Replaced);

    /// <summary>The registry's keys this host refused, one record each (the caller records them once per snapshot).</summary>
    public static IEnumerable<AuditRecord> Rejected(SyncCycle cycle, long serial, IEnumerable<KeyRejection> rejections) =>
        rejections.Select(r => cycle.Record(AuditAction.KeyRejected, serial) with
        {
            Account = r.Account,
            Owner = r.Owner,
            Label = r.Label,
            Fingerprint = r.Fingerprint,
            Reason = r.Verdict.Code,
            Message = r.Verdict.Message,
            Line = r.KeyText,
        });

    /// <summary>The failures worth a record: a refusal that persists is reported once, when it starts or changes.</summary>
    public static IReadOnlyList<AccountFailure> NewRefusals(IReadOnlyDictionary<string, AccountFailure> before, IEnumerable<AccountFailure> failures) =>
        [.. failures.Where(f => !before.TryGetValue(f.Account, out var was) || was != f)];

    public static AuditRecord Refused(SyncCycle cycle, long serial, AccountFailure failure) =>
        cycle.Record(AuditAction.AccountRefused, serial) with { Account = failure.Account, Reason = failure.Code, Message = failure.Message };

    /// <summary>Accounts the registry names that this host does not have.</summary>
    public static IEnumerable<AuditRecord> Missing(SyncCycle cycle, long serial, IEnumerable<string> accounts) =>
        accounts.Select(m => cycle.Record(AuditAction.AccountMissing, serial) with
        {
            Account = m,
            Reason = "account-missing",
            Message = "no such local account",
        });

    /// <summary>Stage 0: one repair of the state directory (it has no snapshot yet, so no serial).</summary>
    public static AuditRecord StateDirectoryRepaired(SyncCycle cycle, StateDirectoryRepair repair) =>
        cycle.Record(AuditAction.StateDirectoryRepaired, null) with
        {
            Reason = "state-directory-loose",
            Message = $"{repair.Path}: {repair.What}",
        };

    /// <summary>
    /// The records of file changes: the removal approval that let them through, unsafe files replaced, and
    /// one record per key added and removed. Of the plans carried out (the outcome) or of all of them (the intent).
    /// </summary>
    private static IEnumerable<AuditRecord> Changes(SyncCycle cycle, long serial, SyncPlan plan, IEnumerable<AccountPlan> plans, IEnumerable<(string Account, FileRefusal Refusal)> replaced)
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
}
