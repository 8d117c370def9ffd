using KeyAgentd.Core.Planning;
using static KeyAgentd.Core.Tests.Planning.PlanKeys;

namespace KeyAgentd.Core.Tests.Planning;

/// <summary>
/// Helper-only delivery with an authorized_keys keyagentd wrote: what it wrote is taken out, once, through
/// the plan (FileText), and listed as delivery-off; what the user wrote, or what keyagentd never marked, stays.
/// </summary>
public class FileRetirementTests
{
    private const string Header = AuthorizedKeysRenderer.ExclusiveHeader + "\n";

    private static AccountPlan PlanHelperOnly(string? file, OwnershipMode mode, string? cache = null, params string[] granted) =>
        Planner.Plan(new PlanInput("deploy", [.. granted.Select(k => Desired(k))], mode)
        {
            Delivery = Delivery.HelperCacheOnly,
            CurrentFile = file,
            CurrentCache = cache,
        });

    [Fact]
    public void An_exclusive_file_is_emptied_and_every_line_it_held_is_retired_but_not_removed()
    {
        var plan = PlanHelperOnly(Header + Alice + "\n" + Bob + "\n", OwnershipMode.Exclusive, granted: Alice);

        Assert.Equal("", plan.FileText);
        Assert.True(plan.FileRetired);
        Assert.Equal([Fingerprint(Alice), Fingerprint(Bob)], plan.Retired.Select(r => r.Key!.Sha256Fingerprint));
        Assert.All(plan.Retired, r => Assert.Equal(RemovalReason.DeliveryOff, r.Reason));
        // The guard weighs what the managed file (the cache) loses, never what moves to the helper.
        Assert.Empty(plan.Removed);
        Assert.Equal(Header + Alice + "\n", plan.CacheText);
    }

    [Fact]
    public void A_managed_block_is_taken_out_and_the_users_lines_around_it_stay_byte_for_byte()
    {
        string file = Stranger + "\r\n# BEGIN keyagentd\n" + Alice + "\n# END keyagentd\n" + "# mine\n";

        var plan = PlanHelperOnly(file, OwnershipMode.ManagedBlock, granted: Alice);

        Assert.Equal(Stranger + "\r\n# mine\n", plan.FileText);
        Assert.Equal([Fingerprint(Alice)], plan.Retired.Select(r => r.Key!.Sha256Fingerprint));
    }

    [Fact]
    public void An_exclusive_file_kept_in_managed_block_mode_loses_only_the_keys_keyagentd_wrote()
    {
        string cache = OnDisk(Header + Alice + "\n")!;

        var plan = PlanHelperOnly(Header + Alice + "\n" + Stranger + "\n", OwnershipMode.ManagedBlock, cache, Alice);

        Assert.Equal(Stranger + "\n", plan.FileText);
        Assert.Equal([Fingerprint(Alice)], plan.Retired.Select(r => r.Key!.Sha256Fingerprint));
    }

    [Theory]
    [InlineData(OwnershipMode.Exclusive)]
    [InlineData(OwnershipMode.ManagedBlock)]
    public void A_file_without_keyagentds_mark_is_the_users_and_stays(OwnershipMode mode)
    {
        var plan = PlanHelperOnly(Stranger + "\n", mode, granted: Alice);

        Assert.Null(plan.FileText);
        Assert.Empty(plan.Retired);
        Assert.True(plan.FileRetired);
    }

    [Fact]
    public void A_damaged_block_is_left_for_a_person_and_the_file_stays_pending()
    {
        var plan = PlanHelperOnly(Stranger + "\n# BEGIN keyagentd\n" + Alice + "\n", OwnershipMode.ManagedBlock, granted: Alice);

        Assert.Null(plan.FileText);
        Assert.False(plan.FileRetired);
        Assert.Contains(plan.Notes, n => n.Contains("left as it is", StringComparison.Ordinal));
        Assert.NotNull(plan.CacheText);
    }

    [Fact]
    public void Report_mode_writes_nothing_and_says_so()
    {
        var plan = PlanHelperOnly(Header + Alice + "\n", OwnershipMode.Report, granted: Alice);

        Assert.Null(plan.FileText);
        Assert.False(plan.FileRetired);
        Assert.Contains(plan.Notes, n => n.Contains("report mode writes nothing", StringComparison.Ordinal));
    }

    [Fact]
    public void The_dry_run_diff_lists_the_retired_lines_with_their_reason()
    {
        var plan = PlanHelperOnly(Header + Alice + "\n", OwnershipMode.Exclusive, granted: Alice);

        string diff = SyncPlan.Create([plan], [], new RemovalLimits(50, 10)).RenderDiff();

        Assert.Contains("(file delivery off: 1 line(s) out of authorized_keys)", diff, StringComparison.Ordinal);
        Assert.Contains($"- ssh-ed25519 {Fingerprint(Alice)} delivery-off", diff, StringComparison.Ordinal);
    }
}
