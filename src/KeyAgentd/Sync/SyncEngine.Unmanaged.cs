using KeyAgentd.Audit;
using KeyAgentd.Core.AuthorizedKeys;
using KeyAgentd.Core.Planning;
using KeyAgentd.Expand;

namespace KeyAgentd.Sync;

public sealed partial class SyncEngine
{
    /// <summary>
    /// Stage 6b: keys/ holds the caches of the accounts this cycle manages and nothing else. An account that
    /// leaves management (`Accounts:Exclude`, no local account any more) is never planned again, so its cache
    /// would stay as last written and keyagentd-keys would go on serving every key in it, whatever the registry
    /// withdraws or revokes later. Its cache goes, each key audited (key-removed, account-unmanaged). Its
    /// authorized_keys, in the user's home, is left as it is: excluded means keyagentd no longer touches it.
    /// Not in report mode, which writes nothing.
    /// </summary>
    private void RemoveUnmanagedCaches(SyncCycle cycle, AccountSelection selection, long serial)
    {
        if (settings.Accounts.Mode == OwnershipMode.Report)
        {
            // Report mode writes nothing, as promised.
            return;
        }
        foreach (string account in state.CachedAccounts().Where(a => !selection.ByName.ContainsKey(a)))
        {
            string? cache = state.RemoveCache(account);
            var keys = AuthorizedKeyLineParser.ParseAll(cache ?? "").Where(l => l.IsKey).ToList();
            LogUnmanagedCacheRemoved(logger, account, keys.Count);
            cycle.Records.AddRange(keys.Select(line => cycle.Record(AuditActions.KeyRemoved, serial) with
            {
                Account = account,
                Fingerprint = line.Key!.Sha256Fingerprint,
                Type = line.Key.TypeName,
                Bits = line.Key.Bits,
                Reason = RemovalReason.AccountUnmanaged.ToCode(),
                Message = "keyagentd no longer manages this account: its keyagentd-keys cache is removed",
                Line = line.Raw,
            }));
        }
    }
}
