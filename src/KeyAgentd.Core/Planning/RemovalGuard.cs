using KeyAgentd.Core.Keys;
using KeyAgentd.Core.Snapshot;

namespace KeyAgentd.Core.Planning;

/// <summary>
/// Stops a cycle that would strip a host of most of its keys when that is many keys: an empty or
/// truncated registry document must not lock everyone out of a large host. Keys are counted once
/// each however many accounts hold them (removing one person is one person's keys, not one per
/// account). Revoked and expired keys are removed whatever the guard says and are not counted as
/// removals; report-mode and refused plans remove nothing and count neither way.
/// </summary>
public static class RemovalGuard
{
    public static RemovalGuardResult Evaluate(IReadOnlyList<AccountPlan> plans, RemovalLimits limits, long serial = 0, RemovalApproval? approval = null)
    {
        var present = new HashSet<SshPublicKey>();
        var removed = new HashSet<SshPublicKey>();
        var withdrawn = new HashSet<SshPublicKey>();
        foreach (var plan in plans.Where(p => p.Mode != OwnershipMode.Report && p.Error is null))
        {
            present.UnionWith(plan.Kept.Select(k => k.Key));
            foreach (var line in plan.Removed)
            {
                if (line.Key is null || line.Reason == RemovalReason.DuplicateKey)
                {
                    continue;
                }
                present.Add(line.Key);
                (line.Reason.IsGuarded() ? removed : withdrawn).Add(line.Key);
            }
        }
        // A key withdrawn here but merely not granted elsewhere is still a revocation, not a mass removal.
        removed.ExceptWith(withdrawn);
        int total = present.Count;
        double percent = total == 0 ? 0 : removed.Count * 100.0 / total;
        bool over = percent > limits.MaxPercent && removed.Count >= limits.MinKeys;
        bool approved = over && approval is not null && approval.Serial == serial && removed.Count <= approval.MaxRemovedKeys;
        return new RemovalGuardResult(over && !approved, removed.Count, withdrawn.Count, total, percent, limits)
        {
            ApprovedBy = approved ? approval : null,
            IgnoredApproval = over && !approved ? approval : null,
        };
    }
}
