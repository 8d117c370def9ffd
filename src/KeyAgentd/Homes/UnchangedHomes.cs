using System.Collections.Concurrent;
using KeyAgentd.Accounts;
using KeyAgentd.Core.Planning;
using KeyAgentd.Core.Snapshot;
using KeyAgentd.Storage;

namespace KeyAgentd.Homes;

/// <summary>
/// The daemon's no-change cycle for one account: a plan that found nothing to write holds for as long as
/// its inputs do. Those are the desired state (the same object while the snapshot, the policy and the
/// clock's next expiry stay; a new one empties this), the account as the database gives it, the settings
/// (an engine's for its lifetime), and the bytes of authorized_keys and of the cache, known by their
/// <see cref="FileIdentity"/>: any write, chmod, chown or replacement changes it. So a home whose identities
/// are those its last plan was made from is walked and judged as before but not read, parsed or rendered.
/// Only identities taken well after their file last changed (<see cref="FileIdentity.IsSettled"/>) count.
/// </summary>
/// <param name="kernelClock">The real clock the kernel stamps files by (a later one, in tests, settles files just written).</param>
internal sealed class UnchangedHomes(TimeProvider kernelClock)
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private DesiredState? _desired;

    /// <param name="File">authorized_keys as planned from (null: none, or not read with this delivery).</param>
    /// <param name="Cache">keys/&lt;user&gt; as planned from (null: none the planner could use).</param>
    private sealed record Entry(AccountInfo Account, FileIdentity? File, FileIdentity? Cache, AccountPlan Plan);

    /// <summary>Called once per plan stage, before any lookup: a different desired state forgets every plan.</summary>
    public void Begin(DesiredState desired)
    {
        if (!ReferenceEquals(desired, _desired))
        {
            _entries.Clear();
            _desired = desired;
        }
    }

    /// <summary>The plan made from these very inputs, if there is one; <paramref name="file"/> and <paramref name="cache"/> are read only when needed.</summary>
    public AccountPlan? Find(AccountInfo account, Func<(bool Known, FileIdentity? Identity)> file, Func<FileIdentity?> cache)
    {
        if (!_entries.TryGetValue(account.Name, out var entry) || entry.Account != account)
        {
            return null;
        }
        var (known, identity) = file();
        return known && identity == entry.File && cache() == entry.Cache ? entry.Plan : null;
    }

    /// <summary>Keeps a plan with nothing to write, made from settled files; anything else forgets the account.</summary>
    public void Remember(AccountInfo account, FileIdentity? file, FileIdentity? cache, AccountPlan plan)
    {
        var now = kernelClock.GetUtcNow();
        if (plan.Changed || plan.FileText is not null || plan.CacheText is not null || plan.Error is not null
            || file is { } f && !f.IsSettled(now) || cache is { } c && !c.IsSettled(now))
        {
            _entries.TryRemove(account.Name, out _);
            return;
        }
        _entries[account.Name] = new Entry(account, file, cache, plan);
    }

    public void Forget(string account) => _entries.TryRemove(account, out _);
}
