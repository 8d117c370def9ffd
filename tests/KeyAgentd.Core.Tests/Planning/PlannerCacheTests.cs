using KeyAgentd.Core.Planning;
using static KeyAgentd.Core.Tests.Planning.PlanKeys;

namespace KeyAgentd.Core.Tests.Planning;

/// <summary>The helper cache (state-dir/keys/&lt;user&gt;) is planned with the file, from the same key set.</summary>
public class PlannerCacheTests
{
    private const string Header = AuthorizedKeysRenderer.ExclusiveHeader + "\n";

    /// <summary>The cache keys a plan writes (the state store puts the helper's index line before them).</summary>
    private static string CacheBody(string? cache)
    {
        Assert.NotNull(cache);
        return cache;
    }

    [Theory]
    [InlineData(OwnershipMode.Exclusive)]
    [InlineData(OwnershipMode.ManagedBlock)]
    public void A_break_glass_restriction_is_not_undone_by_an_unrestricted_copy_in_the_cache(OwnershipMode mode)
    {
        string restricted = "from=\"10.9.9.9\" " + Alice;

        var plan = PlanFile("deploy", [Desired(Alice), Desired(Bob)], null, mode, [restricted]);

        Assert.Equal(Header + restricted + "\n" + Bob + "\n", CacheBody(plan.CacheText));
        Assert.Single(plan.FileText!.Split('\n'), l => l.Contains(Alice.Split(' ')[1], StringComparison.Ordinal));
    }

    [Fact]
    public void The_cache_of_an_exclusive_file_is_the_file()
    {
        var plan = PlanFile("deploy", [Desired(Alice), Desired(Bob)], Stranger + "\n", OwnershipMode.Exclusive, [Admin]);

        Assert.Equal(plan.FileText, CacheBody(plan.CacheText));
    }

    [Fact]
    public void The_cache_of_a_managed_block_holds_the_registry_keys_only()
    {
        var plan = PlanFile("deploy", [Desired(Alice)], Stranger + "\n", OwnershipMode.ManagedBlock, []);

        Assert.Equal(Header + Alice + "\n", CacheBody(plan.CacheText));
        Assert.Contains(Stranger, plan.FileText);
    }

    [Fact]
    public void A_cache_written_before_the_index_existed_is_rewritten_once_with_one()
    {
        var first = PlanFile("deploy", [Desired(Alice)], null, OwnershipMode.Exclusive, []);
        string withoutIndex = CacheBody(first.CacheText);

        var upgrade = PlanFile("deploy", [Desired(Alice)], first.FileText, OwnershipMode.Exclusive, [], cache: withoutIndex);
        var after = PlanFile("deploy", [Desired(Alice)], first.FileText, OwnershipMode.Exclusive, [], cache: OnDisk(upgrade.CacheText));

        Assert.Equal(first.CacheText, upgrade.CacheText);
        Assert.Empty(upgrade.Added);
        Assert.Empty(upgrade.Removed);
        Assert.Null(upgrade.FileText);
        Assert.Null(after.CacheText);
    }

    [Fact]
    public void An_unchanged_cache_is_not_rewritten()
    {
        var first = PlanFile("deploy", [Desired(Alice)], null, OwnershipMode.Exclusive, []);
        var second = PlanFile("deploy", [Desired(Alice)], first.FileText, OwnershipMode.Exclusive, [], cache: OnDisk(first.CacheText));

        Assert.NotNull(first.CacheText);
        Assert.Null(second.CacheText);
        Assert.Null(second.FileText);
    }

    [Fact]
    public void Report_mode_writes_neither_the_file_nor_the_cache()
    {
        var plan = PlanFile("deploy", [Desired(Alice)], Stranger + "\n", OwnershipMode.Report, [], cache: Header + Stranger + "\n");

        Assert.True(plan.Changed);
        Assert.Null(plan.FileText);
        Assert.Null(plan.CacheText);
    }

    [Fact]
    public void Helper_only_delivery_plans_against_the_cache_and_never_writes_a_file()
    {
        var plan = Planner.Plan(new PlanInput("deploy", [Desired(Alice)], OwnershipMode.Exclusive)
        {
            Delivery = Delivery.HelperCacheOnly,
            CurrentCache = Header + Stranger + "\n",
        });

        Assert.Null(plan.FileText);
        Assert.Equal(Header + Alice + "\n", CacheBody(plan.CacheText));
        Assert.Equal([Fingerprint(Stranger)], plan.Removed.Select(r => r.Key!.Sha256Fingerprint));
        Assert.True(plan.Changed);
    }

    [Fact]
    public void Helper_only_delivery_in_report_mode_leaves_the_cache_alone()
    {
        var plan = Planner.Plan(new PlanInput("deploy", [Desired(Alice)], OwnershipMode.Report)
        {
            Delivery = Delivery.HelperCacheOnly,
            CurrentCache = Header + Stranger + "\n",
        });

        Assert.Null(plan.CacheText);
        Assert.True(plan.Changed);
    }

    [Fact]
    public void A_revoked_break_glass_key_is_dropped_with_a_note()
    {
        var withdrawn = Withdrawals.From([Fingerprint(Admin)], []);

        var plan = PlanFile("deploy", [Desired(Alice)], Header + Admin + "\n" + Alice + "\n", OwnershipMode.Exclusive, [Admin], withdrawn: withdrawn);

        Assert.Equal(Header + Alice + "\n", plan.FileText);
        Assert.Equal(plan.FileText, CacheBody(plan.CacheText));
        Assert.Equal(RemovalReason.Revoked, Assert.Single(plan.Removed).Reason);
        Assert.Contains("revoked", Assert.Single(plan.Notes));
    }
}
