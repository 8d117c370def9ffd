using KeyAgentd.Core.Planning;
using KeyAgentd.Core.Registry;
using static KeyAgentd.Core.Tests.Planning.PlanKeys;

namespace KeyAgentd.Core.Tests.Planning;

public class RemovalGuardTests
{
    /// <summary>A file holding <paramref name="present"/> of which only the first <paramref name="keep"/> stay.</summary>
    private static AccountPlan PlanKeeping(int present, int keep, OwnershipMode mode = OwnershipMode.Exclusive)
    {
        var lines = Enumerable.Range(0, present).Select(Pool).ToList();
        var desired = lines.Take(keep).Select(l => Desired(l)).ToList();
        return Planner.Plan("acct", desired, string.Join("\n", lines) + "\n", mode, []);
    }

    [Fact]
    public void Removing_more_than_half_trips_the_guard()
    {
        var plan = PlanKeeping(present: 4, keep: 1);

        var result = RemovalGuard.Evaluate([plan], 50);

        Assert.True(result.Tripped);
        Assert.Equal(3, result.Removed);
        Assert.Equal(4, result.Total);
        Assert.Equal(75, result.Percent);
        Assert.Contains("--force", result.Message);
    }

    [Fact]
    public void Removing_exactly_half_does_not_trip()
    {
        var result = RemovalGuard.Evaluate([PlanKeeping(present: 4, keep: 2)], 50);

        Assert.False(result.Tripped);
        Assert.Equal(2, result.Removed);
        Assert.Equal(50, result.Percent);
    }

    [Fact]
    public void Caller_supplied_total_is_used()
    {
        var plan = PlanKeeping(present: 4, keep: 1);
        Assert.False(RemovalGuard.Evaluate([plan], currentManagedKeyCount: 10, maxRemovalPercent: 50).Tripped);
        Assert.True(RemovalGuard.Evaluate([plan], currentManagedKeyCount: 5, maxRemovalPercent: 50).Tripped);
    }

    [Fact]
    public void Counts_are_summed_across_accounts()
    {
        var result = RemovalGuard.Evaluate([PlanKeeping(4, 4), PlanKeeping(2, 0)], 50);
        Assert.Equal(2, result.Removed);
        Assert.Equal(6, result.Total);
        Assert.False(result.Tripped);
    }

    [Fact]
    public void Nothing_managed_never_trips()
    {
        var result = RemovalGuard.Evaluate([Planner.Plan("acct", [], null, OwnershipMode.Exclusive, [])], 50);
        Assert.False(result.Tripped);
        Assert.Equal(0, result.Total);
    }

    [Fact]
    public void Report_mode_plans_remove_nothing()
    {
        var result = RemovalGuard.Evaluate([PlanKeeping(4, 0, OwnershipMode.Report)], 50);
        Assert.False(result.Tripped);
        Assert.Equal(0, result.Removed);
        Assert.Equal(0, result.Total);
    }

    [Fact]
    public void Removed_invalid_lines_do_not_count_as_removed_keys()
    {
        var plan = Planner.Plan("acct", [Desired(Pool(0))], Pool(0) + "\nnot a key\n# note\n", OwnershipMode.Exclusive, []);
        var result = RemovalGuard.Evaluate([plan], 50);
        Assert.Equal(0, result.Removed);
        Assert.Equal(1, result.Total);
    }

    [Fact]
    public void Zero_percent_limit_trips_on_any_removal()
    {
        Assert.True(RemovalGuard.Evaluate([PlanKeeping(10, 9)], 0).Tripped);
        Assert.False(RemovalGuard.Evaluate([PlanKeeping(10, 10)], 0).Tripped);
    }

    [Fact]
    public void Registry_emptied_upstream_is_stopped()
    {
        IReadOnlyList<DesiredKey> none = [];
        var plans = new[] { "deploy", "root", "web" }.Select(a => Planner.Plan(a, none, Pool(0) + "\n" + Pool(1) + "\n", OwnershipMode.Exclusive, [])).ToList();
        Assert.True(RemovalGuard.Evaluate(plans, 50).Tripped);
    }
}
