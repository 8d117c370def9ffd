using KeyAgentd.Audit;
using KeyAgentd.Configuration;
using KeyAgentd.Core.AuthorizedKeys;
using KeyAgentd.Core.Planning;
using KeyAgentd.Expand;
using KeyAgentd.State;
using KeyAgentd.Sync;
using Microsoft.Extensions.Logging;
using static KeyAgentd.Sync.SyncLog;

namespace KeyAgentd.HelperCache;

/// <summary>
/// keys/&lt;user&gt;, the caches keyagentd-keys serves: written from each account's plan, and removed for the
/// accounts that left management. Kept in the state directory by <see cref="StateStore"/>.
/// </summary>
internal sealed class HelperCaches(KeyAgentdSettings settings, StateStore state, ILogger logger)
{
    /// <summary>
    /// Stage 8a: one account's cache. A failure (a full disk, something in its place) fails that account, not
    /// the cycle: the other accounts, the KRL and this account's authorized_keys still get their revocations.
    /// </summary>
    public AccountFailure? Write(string account, string text)
    {
        try
        {
            state.WriteCache(account, text);
            return null;
        }
        catch (IOException e)
        {
            return new AccountFailure(account, AccountFailure.CacheWriteFailed, e.Message);
        }
    }

    /// <summary>
    /// Stage 8c: keys/ holds the caches of the accounts this cycle manages and nothing else. An account that
    /// leaves management (`Accounts:Exclude`, no local account any more) is never planned again, so its cache
    /// would stay as last written and keyagentd-keys would go on serving every key in it, whatever the registry
    /// withdraws or revokes later. Its cache goes, each key audited (key-removed, account-unmanaged). Its
    /// authorized_keys, in the user's home, is left as it is: excluded means keyagentd no longer touches it.
    /// Not in report mode, which writes nothing.
    /// </summary>
    public void RemoveUnmanaged(SyncCycle cycle, AccountSelection selection, long serial)
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
            cycle.Records.AddRange(keys.Select(line => cycle.Record(AuditAction.KeyRemoved, serial) with
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
