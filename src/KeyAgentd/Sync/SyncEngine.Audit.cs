using KeyAgentd.Audit;
using KeyAgentd.Core.Planning;

namespace KeyAgentd.Sync;

public sealed partial class SyncEngine
{
    private static AuditRecord Record(string action, DateTimeOffset now, string host, long? serial) =>
        new() { Time = now, Action = action, Host = host, Serial = serial };

    /// <summary>One record per added and removed key; a removed line is kept whole so nothing is lost.</summary>
    private static void AddChangeRecords(List<AuditRecord> records, AccountPlan plan, DateTimeOffset now, string host, long serial, string? note = null)
    {
        foreach (var key in plan.Added)
        {
            records.Add(Record(AuditActions.KeyAdded, now, host, serial) with
            {
                Account = plan.Account,
                Fingerprint = key.Key.Sha256Fingerprint,
                Type = key.Key.TypeName,
                Bits = key.Key.Bits,
                Owner = key.Owner,
                Label = key.Label,
                Reason = "granted",
                Message = note,
            });
        }
        foreach (var line in plan.Removed)
        {
            records.Add(Record(AuditActions.KeyRemoved, now, host, serial) with
            {
                Account = plan.Account,
                Fingerprint = line.Key?.Sha256Fingerprint,
                Type = line.Key?.TypeName,
                Bits = line.Key?.Bits,
                Reason = line.Reason,
                Message = note,
                Line = line.RawLine,
            });
        }
    }
}
