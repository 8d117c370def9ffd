using KeyAgentd.Core.Planning;
using KeyAgentd.Core.Policy;
using KeyAgentd.Core.Snapshot;
using static KeyAgentd.Core.Tests.Planning.PlanKeys;

namespace KeyAgentd.Core.Tests.Planning;

public class RemovalGuardTests
{
    private static readonly RemovalLimits Defaults = new();

    private static List<string> Lines(int count) => Enumerable.Range(0, count).Select(Pool).ToList();

    /// <summary>A file holding <paramref name="present"/> keys of which only the first <paramref name="keep"/> stay granted.</summary>
    private static AccountPlan PlanKeeping(int present, int keep, OwnershipMode mode = OwnershipMode.Exclusive, string account = "acct", Withdrawals? withdrawn = null)
    {
        var lines = Lines(present);
        var desired = lines.Take(keep).Select(l => Desired(l)).ToList();
        return PlanFile(account, desired, string.Join("\n", lines) + "\n", mode, [], withdrawn: withdrawn);
    }

    private static Withdrawals Revoking(IEnumerable<string> lines) => Withdrawals.From(lines.Select(Fingerprint), []);

    [Fact]
    public void A_one_key_host_loses_its_only_key_when_the_person_is_removed()
    {
        var result = RemovalGuard.Evaluate([PlanKeeping(present: 1, keep: 0)], Defaults);

        Assert.False(result.Tripped);
        Assert.Equal(1, result.Removed);
        Assert.Equal(100, result.Percent);
    }

    [Fact]
    public void A_three_key_host_loses_a_removed_person()
    {
        Assert.False(RemovalGuard.Evaluate([PlanKeeping(present: 3, keep: 1)], Defaults).Tripped);
    }

    [Fact]
    public void Revoked_keys_are_removed_whatever_the_limits_say()
    {
        var withdrawn = Revoking(Lines(20));
        var plan = PlanKeeping(present: 20, keep: 0, withdrawn: withdrawn);

        var result = RemovalGuard.Evaluate([plan], new RemovalLimits(MaxPercent: 0, MinKeys: 0));

        Assert.False(result.Tripped);
        Assert.Equal(0, result.Removed);
        Assert.Equal(20, result.Withdrawn);
        Assert.All(plan.Removed, r => Assert.Equal(RemovalReason.Revoked, r.Reason));
    }

    [Fact]
    public void Expired_keys_are_removed_whatever_the_limits_say()
    {
        var line = Pool(0);
        var expired = KeyRejection.Create("acct", "alice", null, line, Fingerprint(line), new Verdict(ReasonCode.Expired, "not_after has passed"));
        var plan = PlanFile("acct", [], line + "\n", OwnershipMode.Exclusive, [], withdrawn: Withdrawals.From([], [expired]));

        var result = RemovalGuard.Evaluate([plan], new RemovalLimits(0, 0));

        Assert.False(result.Tripped);
        Assert.Equal(RemovalReason.Expired, Assert.Single(plan.Removed).Reason);
    }

    [Fact]
    public void Stripping_a_large_host_of_most_of_its_keys_trips()
    {
        var result = RemovalGuard.Evaluate([PlanKeeping(present: 20, keep: 8)], Defaults);

        Assert.True(result.Tripped);
        Assert.Equal(12, result.Removed);
        Assert.Equal(20, result.Total);
        Assert.Contains("--force", result.Describe());
        Assert.Contains("Safety:MinRemovedKeys (10)", result.Describe());
    }

    [Fact]
    public void Over_the_percentage_but_under_the_floor_does_not_trip()
    {
        Assert.False(RemovalGuard.Evaluate([PlanKeeping(present: 12, keep: 3)], Defaults).Tripped);
        Assert.True(RemovalGuard.Evaluate([PlanKeeping(present: 12, keep: 3)], new RemovalLimits(50, 9)).Tripped);
    }

    [Fact]
    public void Removing_exactly_the_percentage_does_not_trip()
    {
        var result = RemovalGuard.Evaluate([PlanKeeping(present: 40, keep: 20)], Defaults);

        Assert.False(result.Tripped);
        Assert.Equal(50, result.Percent);
    }

    [Fact]
    public void A_key_is_counted_once_however_many_accounts_hold_it()
    {
        var plans = new[] { "deploy", "root", "web" }.Select(a => PlanKeeping(present: 4, keep: 3, account: a)).ToList();

        var result = RemovalGuard.Evaluate(plans, new RemovalLimits(20, 1));

        Assert.Equal(1, result.Removed);
        Assert.Equal(4, result.Total);
        Assert.True(result.Tripped);
    }

    [Fact]
    public void An_emptied_registry_is_stopped_on_a_host_with_many_keys()
    {
        IReadOnlyList<DesiredKey> none = [];
        var plans = new[] { "deploy", "root", "web" }
            .Select((a, i) => PlanFile(a, none, string.Join("\n", Enumerable.Range(i * 5, 5).Select(Pool)) + "\n", OwnershipMode.Exclusive, []))
            .ToList();

        Assert.True(RemovalGuard.Evaluate(plans, Defaults).Tripped);
    }

    [Fact]
    public void Nothing_managed_never_trips()
    {
        var result = RemovalGuard.Evaluate([PlanFile("acct", [], null, OwnershipMode.Exclusive, [])], new RemovalLimits(0, 0));
        Assert.False(result.Tripped);
        Assert.Equal(0, result.Total);
    }

    [Fact]
    public void Report_mode_plans_remove_nothing()
    {
        var result = RemovalGuard.Evaluate([PlanKeeping(20, 0, OwnershipMode.Report)], Defaults);
        Assert.False(result.Tripped);
        Assert.Equal(0, result.Removed);
        Assert.Equal(0, result.Total);
    }

    [Fact]
    public void Removed_invalid_lines_and_duplicates_do_not_count_as_removed_keys()
    {
        var plan = PlanFile("acct", [Desired(Pool(0))], Pool(0) + "\n" + Pool(0) + "\nnot a key\n# note\n", OwnershipMode.Exclusive, []);
        var result = RemovalGuard.Evaluate([plan], new RemovalLimits(0, 0));
        Assert.Equal(0, result.Removed);
        Assert.Equal(1, result.Total);
        Assert.False(result.Tripped);
    }

    [Fact]
    public void Zero_limits_trip_on_any_removal()
    {
        Assert.True(RemovalGuard.Evaluate([PlanKeeping(10, 9)], new RemovalLimits(0, 0)).Tripped);
        Assert.False(RemovalGuard.Evaluate([PlanKeeping(10, 10)], new RemovalLimits(0, 0)).Tripped);
    }

    [Fact]
    public void A_removal_approval_for_this_serial_lets_a_reviewed_removal_through()
    {
        var approval = new RemovalApproval(Serial: 7, MaxRemovedKeys: 15, Reason: "team foo offboarded (CHG-42)");

        var result = RemovalGuard.Evaluate([PlanKeeping(present: 20, keep: 8)], Defaults, serial: 7, approval);

        Assert.False(result.Tripped);
        Assert.Same(approval, result.ApprovedBy);
        Assert.Contains("team foo offboarded", result.Describe());
    }

    [Theory]
    [InlineData(6, 15)]
    [InlineData(7, 11)]
    public void A_removal_approval_for_another_serial_or_fewer_keys_approves_nothing(long approvedSerial, int maxRemoved)
    {
        var approval = new RemovalApproval(approvedSerial, maxRemoved, "copied forward by accident");

        var result = RemovalGuard.Evaluate([PlanKeeping(present: 20, keep: 8)], Defaults, serial: 7, approval);

        Assert.True(result.Tripped);
        Assert.Null(result.ApprovedBy);
        Assert.Same(approval, result.IgnoredApproval);
        Assert.Contains("does not cover it", result.Describe());
    }
}
