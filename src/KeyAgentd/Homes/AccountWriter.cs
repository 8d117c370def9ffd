using KeyAgentd.Accounts;
using KeyAgentd.Configuration;
using KeyAgentd.Core.Planning;
using KeyAgentd.HelperCache;
using KeyAgentd.Sync;

namespace KeyAgentd.Homes;

/// <summary>The write stage: each plan's bytes into the helper cache, and through <see cref="HomeKeyFiles"/> into the home.</summary>
internal sealed class AccountWriter(KeyAgentdSettings settings, HomeKeyFiles writer, HelperCaches caches)
{
    /// <param name="Written">The managed file was written (authorized_keys, or the cache with helper-only delivery).</param>
    /// <param name="Failure">Set when authorized_keys could not be written; the old file is intact.</param>
    /// <param name="CacheFailure">Set when keys/&lt;user&gt; could not be written (authorized_keys may still have been).</param>
    private sealed record AccountWrite(bool Written, AccountFailure? Failure, AccountFailure? CacheFailure = null);

    /// <summary>Stage 8: writes the bytes each plan holds; decides nothing.</summary>
    public Applied Apply(PlannedAccounts planned, IReadOnlyDictionary<string, AccountInfo> byName, CancellationToken stopping)
    {
        var plans = planned.Plans;
        var writes = new AccountWrite?[plans.Count];
        Parallelism.RunBlocking(plans.Count, i => writes[i] = ApplyOne(plans[i], byName[plans[i].Account], planned.UnsafeFiles.GetValueOrDefault(plans[i].Account)), stopping);

        var done = new List<AccountPlan>();
        var failures = new List<AccountFailure>();
        var replaced = new List<(string, FileRefusal)>();
        int written = 0;
        for (int i = 0; i < plans.Count; i++)
        {
            if (writes[i] is not { } write)
            {
                // SIGTERM: the writes in progress finished; the rest waits for the next start.
                continue;
            }
            if (write.Failure is not null)
            {
                failures.Add(write.Failure);
                continue;
            }
            if (write.CacheFailure is not null)
            {
                // The account's file was still brought in line (and is audited below): only the cache lags.
                failures.Add(write.CacheFailure);
            }
            done.Add(plans[i]);
            if (write.Written)
            {
                written++;
                if (planned.UnsafeFiles.GetValueOrDefault(plans[i].Account) is { } refusal)
                {
                    replaced.Add((plans[i].Account, refusal));
                }
            }
        }
        return new Applied(written, done, failures, replaced, StoppedEarly: writes.Any(w => w is null));
    }

    private AccountWrite ApplyOne(AccountPlan plan, AccountInfo account, FileRefusal? unsafeFile)
    {
        // The cache first: with helper delivery it is what sshd reads, and a revocation must reach it
        // even when the home itself cannot be written (an unsafe ~/.ssh refuses the file below).
        var cacheFailure = plan.CacheText is null ? null : caches.Write(account.Name, plan.CacheText);
        if (plan.FileText is null)
        {
            // Nothing else to write: a cache that failed is the account's failure (its changes did not happen).
            return cacheFailure is not null
                ? new AccountWrite(false, cacheFailure)
                : new AccountWrite(!settings.Delivery.AuthorizedKeysFiles && plan.CacheText is not null, null);
        }
        FileWriteResult result;
        try
        {
            result = writer.WriteAuthorizedKeys(account, plan.FileText, replaceUnsafeFile: unsafeFile is not null);
        }
        catch (IOException e)
        {
            // A disk error in one home (full, read-only, EIO) fails that account, not the whole cycle.
            return new AccountWrite(false, new AccountFailure(account.Name, FileRefusal.IoError, e.Message));
        }
        return result.Status == FileWriteStatus.Refused
            ? new AccountWrite(false, new AccountFailure(account.Name, result.Refusal!.Code, result.Refusal.Message))
            : new AccountWrite(result.Status == FileWriteStatus.Written, null, cacheFailure);
    }
}
