using System.Runtime.ExceptionServices;
using KeyAgentd.Accounts;
using KeyAgentd.Core.Planning;
using KeyAgentd.Core.Registry;
using KeyAgentd.Writer;

namespace KeyAgentd.Sync;

public sealed partial class SyncEngine
{
    // Accounts are independent: reading, planning and writing them side by side lets the filesystem
    // journal commit many fsyncs at once (each written file costs two, plus the cache's two) instead
    // of one commit per fsync, and spreads the parsing over the cores. Results are still collected
    // in name order, so the audit log and the summary do not depend on the schedule.
    private const int Parallelism = 16;

    /// <param name="Failure">"code: message" when the account could not be written; its files are intact.</param>
    /// <param name="Replaced">Set when an unsafe authorized_keys entry (link, FIFO…) was replaced unread.</param>
    private sealed record ApplyOutcome(bool Written, int KeyCount, string? Failure, FileRefusal? Replaced = null);

    /// <returns>
    /// Per managed account, in order: its plan, or why it is refused; and, in exclusive mode, the
    /// reason its authorized_keys entry could not be read and must be replaced rather than rewritten.
    /// </returns>
    private (AccountInfo Account, AccountPlan? Plan, string? Refusal, FileRefusal? UnsafeFile)[] PlanAll(IReadOnlyList<AccountInfo> managed, DesiredState desired, OwnershipMode mode)
    {
        var results = new (AccountInfo, AccountPlan?, string?, FileRefusal?)[managed.Count];
        RunParallel(managed.Count, i => results[i] = PlanOne(managed[i], desired, mode), CancellationToken.None);
        return results;
    }

    private (AccountInfo, AccountPlan?, string?, FileRefusal?) PlanOne(AccountInfo account, DesiredState desired, OwnershipMode mode)
    {
        FileRefusal? unsafeFile = null;
        var keys = desired.Accounts.GetValueOrDefault(account.Name) ?? [];
        var breakGlass = settings.Accounts.BreakGlass.GetValueOrDefault(account.Name) ?? [];
        string? current;
        if (settings.Delivery.AuthorizedKeysFiles)
        {
            FileReadResult read;
            try
            {
                read = writer.ReadAuthorizedKeys(account);
            }
            catch (IOException e)
            {
                return (account, null, $"io-error: {e.Message}", null);
            }
            if (read.Status == FileReadStatus.Refused && mode == OwnershipMode.Exclusive && FileRefusal.IsReplaceableFileProblem(read.Refusal!.Code))
            {
                // A user must not keep revoked keys by turning the file into a link or a FIFO:
                // exclusive mode keeps nothing of the old file, so it is replaced without being read.
                unsafeFile = read.Refusal;
                current = null;
            }
            else if (read.Status == FileReadStatus.Refused)
            {
                return (account, null, $"{read.Refusal!.Code}: {read.Refusal.Message}", null);
            }
            else
            {
                current = read.Text;
            }
        }
        else
        {
            // Helper-only delivery: homes are never touched; the cache is the file being managed.
            current = state.ReadCache(account.Name);
        }
        var plan = Planner.Plan(account.Name, keys, current, settings.Delivery.AuthorizedKeysFiles ? mode : OwnershipMode.Exclusive, breakGlass);
        return plan.Error is not null ? (account, null, $"unplannable: {plan.Error}", null) : (account, plan, null, unsafeFile);
    }

    /// <returns>Per plan, in order: what happened, or null when a stop request came before it was started.</returns>
    private ApplyOutcome?[] ApplyAll(IReadOnlyList<AccountPlan> plans, IReadOnlyDictionary<string, AccountInfo> byName, IReadOnlyDictionary<string, FileRefusal> unsafeFiles, CancellationToken stopping)
    {
        var outcomes = new ApplyOutcome?[plans.Count];
        RunParallel(plans.Count, i => outcomes[i] = ApplyOne(plans[i], byName[plans[i].Account], unsafeFiles.GetValueOrDefault(plans[i].Account)), stopping);
        return outcomes;
    }

    private ApplyOutcome ApplyOne(AccountPlan plan, AccountInfo account, FileRefusal? unsafeFile)
    {
        bool written = false;
        if (settings.Delivery.AuthorizedKeysFiles && plan.NewText is not null)
        {
            FileWriteResult result;
            try
            {
                result = writer.WriteAuthorizedKeys(account, plan.NewText, replaceUnsafeFile: unsafeFile is not null);
            }
            catch (IOException e)
            {
                // A disk error in one home (full, read-only, EIO) fails that account, not the whole cycle.
                return new ApplyOutcome(false, 0, $"io-error: {e.Message}");
            }
            if (result.Status == FileWriteStatus.Refused)
            {
                return new ApplyOutcome(false, 0, $"{result.Refusal!.Code}: {result.Refusal.Message}");
            }
            written = result.Status == FileWriteStatus.Written;
        }
        var cacheKeys = plan.Kept.Concat(plan.Added).ToList();
        if (!settings.Delivery.AuthorizedKeysFiles)
        {
            // Helper-only delivery planned against the cache itself: NewText is the cache's new content,
            // null when it already holds it — no second read, no second rendering.
            if (plan.NewText is not null)
            {
                written = state.WriteCache(account.Name, plan.NewText);
            }
        }
        else
        {
            var breakGlass = settings.Accounts.BreakGlass.GetValueOrDefault(account.Name) ?? [];
            state.WriteCache(account.Name, AuthorizedKeysRenderer.RenderExclusive(cacheKeys, breakGlass));
        }
        return new ApplyOutcome(written, cacheKeys.Count, null, written ? unsafeFile : null);
    }

    /// <summary>Runs body(0..count-1) on up to <see cref="Parallelism"/> threads; a stop request lets started items finish and starts no more.</summary>
    private static void RunParallel(int count, Action<int> body, CancellationToken stopping)
    {
        try
        {
            Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, (i, loop) =>
            {
                if (stopping.IsCancellationRequested)
                {
                    loop.Stop();
                    return;
                }
                body(i);
            });
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            // Same exception as a sequential loop would throw (a broken state directory, say).
            ExceptionDispatchInfo.Throw(e.InnerExceptions[0]);
        }
    }
}
