using System.Globalization;

namespace KeyAgentd.Core.Planning;

/// <summary>
/// Stops a cycle that would remove too large a share of the managed keys at once: an empty or
/// truncated registry document must not lock everyone out of every host. Report-mode and refused
/// plans remove nothing, so they count neither as removals nor in the total.
/// </summary>
public static class RemovalGuard
{
    public static RemovalGuardResult Evaluate(IReadOnlyList<AccountPlan> plans, int currentManagedKeyCount, double maxRemovalPercent)
    {
        int removed = Writing(plans).Sum(p => p.RemovedKeyCount);
        int total = currentManagedKeyCount;
        double percent = total == 0 ? 0 : removed * 100.0 / total;
        bool tripped = total > 0 && percent > maxRemovalPercent;
        string share = string.Create(CultureInfo.InvariantCulture, $"{removed} of {total} managed keys ({percent:0.#}%)");
        string limit = string.Create(CultureInfo.InvariantCulture, $"Safety:MaxRemovalPercent ({maxRemovalPercent:0.#}%)");
        string message = tripped
            ? $"this sync would remove {share}, more than {limit}; nothing was changed (use --force to override)"
            : $"removes {share}, within {limit}";
        return new RemovalGuardResult(tripped, removed, total, percent, message);
    }

    /// <summary>
    /// Total taken from the plans themselves: the registry keys present before the cycle (kept or
    /// removed). Break-glass keys are left out: they are never removed, and counting them would only
    /// dilute the share.
    /// </summary>
    public static RemovalGuardResult Evaluate(IReadOnlyList<AccountPlan> plans, double maxRemovalPercent) =>
        Evaluate(plans, Writing(plans).Sum(p => p.Kept.Count + p.RemovedKeyCount), maxRemovalPercent);

    private static IEnumerable<AccountPlan> Writing(IReadOnlyList<AccountPlan> plans) =>
        plans.Where(p => p.Mode != OwnershipMode.Report && p.Error is null);
}
