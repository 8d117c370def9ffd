using KeyAgentd.Core.Planning;
using KeyAgentd.Core.Snapshot;
using static KeyAgentd.Core.Tests.Planning.PlanKeys;

namespace KeyAgentd.Core.Tests.Planning;

/// <summary>
/// A file that is exactly what keyagentd last wrote is not parsed back. The plan for it must be the
/// one parsing gives: the same file with a blank line added (which parsing ignores) is the witness.
/// </summary>
public class PlannerSteadyStateTests
{
    public static TheoryData<OwnershipMode, bool, bool> Cases()
    {
        var data = new TheoryData<OwnershipMode, bool, bool>();
        foreach (var mode in new[] { OwnershipMode.Exclusive, OwnershipMode.ManagedBlock })
        {
            foreach (bool breakGlass in new[] { false, true })
            {
                foreach (bool helperOnly in new[] { false, true })
                {
                    data.Add(mode, breakGlass, helperOnly);
                }
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void An_unchanged_file_gets_the_plan_parsing_it_would_give(OwnershipMode mode, bool withBreakGlass, bool helperOnly)
    {
        IReadOnlyList<DesiredKey> desired =
        [
            Desired(Alice, owner: "alice"),
            Desired(Bob, owner: "bob", options: "from=\"10.0.0.0/8\",no-pty"),
            Desired(Carol, owner: "carol", options: "expiry-time=\"20991231\""),
            Desired(Pool(1), owner: "zed", label: "ci"),
        ];
        IReadOnlyList<string> breakGlass = withBreakGlass ? [Admin, "from=\"192.0.2.1\" " + Pool(1)] : [];
        var delivery = helperOnly ? Delivery.HelperCacheOnly : Delivery.AuthorizedKeysFile;
        AccountPlan Plan(string? file, string? cache) => Planner.Plan(new PlanInput("alice", desired, mode)
        {
            CurrentFile = helperOnly ? null : file,
            CurrentCache = cache,
            BreakGlass = breakGlass,
            Delivery = delivery,
        });
        string userLines = mode == OwnershipMode.ManagedBlock ? "# mine\n" + Stranger + "\n" : "";
        var first = Plan(helperOnly ? null : userLines, null);
        string? file = helperOnly ? null : first.FileText;
        string cache = OnDisk(first.CacheText)!;

        var steady = Plan(file, cache);
        var parsed = helperOnly
            ? Plan(null, cache + "\n")
            : Plan(file + "\n", cache);

        Assert.False(steady.Changed);
        Assert.Null(steady.FileText);
        Assert.Null(steady.CacheText);
        Assert.Equal(parsed.Added, steady.Added);
        Assert.Equal(parsed.Removed, steady.Removed);
        Assert.Equal(parsed.Kept.Select(k => k.Key), steady.Kept.Select(k => k.Key));
        Assert.Equal(parsed.OptionsChanged, steady.OptionsChanged);
        Assert.Equal(parsed.Notes, steady.Notes);
        Assert.Equal(parsed.Mode, steady.Mode);
        Assert.Equal(desired.Count, steady.KeyCount);
    }

    [Fact]
    public void A_key_withdrawn_upstream_is_noticed_although_the_file_is_as_last_written()
    {
        var before = PlanFile("alice", [Desired(Alice), Desired(Bob)], null, OwnershipMode.Exclusive, []);

        var after = PlanFile("alice", [Desired(Alice)], before.FileText, OwnershipMode.Exclusive, [], cache: OnDisk(before.CacheText));

        Assert.Equal([Fingerprint(Bob)], after.Removed.Select(r => r.Key!.Sha256Fingerprint));
        Assert.NotNull(after.FileText);
    }
}
