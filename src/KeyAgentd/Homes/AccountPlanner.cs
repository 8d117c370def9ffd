using KeyAgentd.Accounts;
using KeyAgentd.Configuration;
using KeyAgentd.Core.Planning;
using KeyAgentd.Expand;
using KeyAgentd.State;
using KeyAgentd.Storage;
using KeyAgentd.Sync;

namespace KeyAgentd.Homes;

/// <summary>The plan stage's I/O: each managed account's authorized_keys and helper cache, read for the core's planner.</summary>
internal sealed class AccountPlanner(KeyAgentdSettings settings, HomeKeyFiles writer, StateStore state, UnchangedHomes? unchanged = null)
{
    private readonly UnchangedHomes _unchanged = unchanged ?? new(TimeProvider.System);

    /// <summary>Stage 4: reads each account's file and cache and lets the planner decide; reading is the only I/O here.</summary>
    public PlannedAccounts Plan(IReadOnlyList<AccountInfo> managed, Expansion expansion, IReadOnlySet<string> filesBefore)
    {
        _unchanged.Begin(expansion.Desired);
        var results = new (AccountPlan? Plan, AccountFailure? Failure, FileRefusal? UnsafeFile)[managed.Count];
        using (var ancestors = new HomeAncestors())
        using (var caches = state.OpenCacheFiles())
        {
            Parallelism.Run(managed.Count, i => results[i] = PlanOne(managed[i], expansion, ancestors, caches, filesBefore), CancellationToken.None);
        }
        var unsafeFiles = new Dictionary<string, FileRefusal>(StringComparer.Ordinal);
        foreach (var (plan, _, unsafeFile) in results)
        {
            if (plan is not null && unsafeFile is not null)
            {
                unsafeFiles[plan.Account] = unsafeFile;
            }
        }
        return new PlannedAccounts(
            [.. results.Where(r => r.Plan is not null).Select(r => r.Plan!)],
            [.. results.Where(r => r.Failure is not null).Select(r => r.Failure!)],
            unsafeFiles);
    }

    /// <remarks>
    /// With helper-only delivery a home is read only while its authorized_keys may still hold what keyagentd
    /// wrote there (<paramref name="filesBefore"/>), to take that out once. If it cannot be read, the cache is
    /// still planned (it is what sshd asks) and the account is reported as failed: it stays in the set and is tried again.
    /// </remarks>
    private (AccountPlan?, AccountFailure?, FileRefusal?) PlanOne(AccountInfo account, Expansion expansion, HomeAncestors ancestors, CacheFiles caches, IReadOnlySet<string> filesBefore)
    {
        var mode = settings.Accounts.Mode;
        var delivery = settings.Delivery.AuthorizedKeysFiles ? Delivery.AuthorizedKeysFile : Delivery.HelperCacheOnly;
        string? currentFile = null;
        FileRefusal? unsafeFile = null;
        AccountFailure? retirementFailure = null;
        FileIdentity? fileIdentity = null;
        bool retiring = delivery == Delivery.HelperCacheOnly && filesBefore.Contains(account.Name) && mode != OwnershipMode.Report;
        if (!retiring && Unchanged(account, delivery, ancestors, caches) is { } unchanged)
        {
            return (unchanged, null, null);
        }
        _unchanged.Forget(account.Name);
        if (retiring)
        {
            (currentFile, unsafeFile, retirementFailure) = ReadForRetirement(account, mode, ancestors);
        }
        else if (delivery == Delivery.AuthorizedKeysFile)
        {
            FileReadResult read;
            try
            {
                read = writer.ReadAuthorizedKeys(account, ancestors);
            }
            catch (IOException e)
            {
                return (null, new AccountFailure(account.Name, FileRefusal.IoError, e.Message), null);
            }
            fileIdentity = read.Identity;
            if (read.Status == FileReadStatus.Refused && mode == OwnershipMode.Exclusive && FileRefusal.IsReplaceableFileProblem(read.Refusal!.Code))
            {
                // A user must not keep revoked keys by turning the file into a link or a FIFO:
                // exclusive mode keeps nothing of the old file, so it is replaced without being read.
                unsafeFile = read.Refusal;
            }
            else if (read.Status == FileReadStatus.Refused)
            {
                return (null, new AccountFailure(account.Name, read.Refusal!.Code, read.Refusal.Message), null);
            }
            else
            {
                currentFile = read.Text;
            }
        }
        var plan = Planner.Plan(new PlanInput(account.Name, expansion.Desired.Accounts.GetValueOrDefault(account.Name) ?? [], mode)
        {
            BreakGlass = settings.Accounts.BreakGlass.GetValueOrDefault(account.Name) ?? [],
            Delivery = delivery,
            CurrentFile = currentFile,
            CurrentCache = caches.Read(account.Name, out var cacheIdentity),
            Withdrawn = expansion.Withdrawn,
        });
        if (!retiring && unsafeFile is null)
        {
            _unchanged.Remember(account, fileIdentity, cacheIdentity, plan);
        }
        if (delivery == Delivery.HelperCacheOnly && unsafeFile is not null)
        {
            // Nothing of it is read, so nothing of it survives: the entry becomes an empty regular file.
            plan = plan with { FileText = "", FileRetired = true, Changed = true };
        }
        return plan.Error is not null
            ? (null, new AccountFailure(account.Name, AccountFailure.ManagedBlockDamaged, plan.Error), null)
            : (plan, retirementFailure, unsafeFile);
    }

    /// <summary>The last plan, when the account's files are the very bytes it was made from (see <see cref="UnchangedHomes"/>).</summary>
    private AccountPlan? Unchanged(AccountInfo account, Delivery delivery, HomeAncestors ancestors, CacheFiles caches) =>
        _unchanged.Find(account,
            file: () =>
            {
                if (delivery != Delivery.AuthorizedKeysFile)
                {
                    return (true, null);
                }
                bool known = writer.TryIdentifyAuthorizedKeys(account, ancestors, out var identity);
                return (known, identity);
            },
            cache: () => caches.Identify(account.Name));

    /// <summary>
    /// authorized_keys to be emptied of keyagentd's lines, as file delivery would read it: an entry that cannot
    /// be read safely is, in exclusive mode, replaced unread (by an empty file), and otherwise a failure.
    /// </summary>
    private (string? Text, FileRefusal? Unsafe, AccountFailure? Failure) ReadForRetirement(AccountInfo account, OwnershipMode mode, HomeAncestors ancestors)
    {
        FileReadResult read;
        try
        {
            read = writer.ReadAuthorizedKeys(account, ancestors);
        }
        catch (IOException e)
        {
            return (null, null, new AccountFailure(account.Name, FileRefusal.IoError, e.Message));
        }
        if (read.Status != FileReadStatus.Refused)
        {
            // No file holds nothing of ours: planned as an empty one, which is retired as it is.
            return (read.Text ?? "", null, null);
        }
        return mode == OwnershipMode.Exclusive && FileRefusal.IsReplaceableFileProblem(read.Refusal!.Code)
            ? (null, read.Refusal, null)
            : (null, null, new AccountFailure(account.Name, read.Refusal!.Code, read.Refusal.Message));
    }
}
