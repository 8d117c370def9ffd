using KeyAgentd.Core.Planning;
using KeyAgentd.Core.Snapshot;
using static KeyAgentd.Core.Tests.Planning.PlanKeys;

namespace KeyAgentd.Core.Tests.Planning;

public class PlannerManagedBlockTests
{
    private const string Begin = AuthorizedKeysRenderer.BeginMarker + "\n";
    private const string End = AuthorizedKeysRenderer.EndMarker + "\n";

    private static AccountPlan Plan(IReadOnlyList<DesiredKey> desired, string? current, params string[] breakGlass) =>
        PlanFile("alice", desired, current, OwnershipMode.ManagedBlock, breakGlass);

    [Fact]
    public void Block_is_appended_after_the_users_lines()
    {
        string current = "# personal\n" + Stranger + "\n";

        var plan = Plan([Desired(Alice)], current);

        Assert.Equal(current + Begin + Alice + "\n" + End, plan.FileText);
        Assert.Empty(plan.Removed);
        Assert.Single(plan.Added);
    }

    [Fact]
    public void Missing_final_newline_is_completed_before_appending()
    {
        var plan = Plan([Desired(Alice)], Stranger);
        Assert.Equal(Stranger + "\n" + Begin + Alice + "\n" + End, plan.FileText);
    }

    [Fact]
    public void No_file_gets_just_the_block()
    {
        Assert.Equal(Begin + Alice + "\n" + End, Plan([Desired(Alice)], null).FileText);
    }

    [Fact]
    public void Nothing_to_write_and_no_block_leaves_the_file_alone()
    {
        var plan = Plan([], Stranger + "\n");
        Assert.Null(plan.FileText);
        Assert.False(plan.Changed);
        Assert.Empty(plan.Removed);
    }

    [Fact]
    public void User_lines_around_the_block_are_preserved_byte_exact()
    {
        string before = "# mine\r\n" + Stranger + "\r\n\r\n";
        string after = "\r\n" + "no-pty " + Carol + " trailing   ";
        string current = before + Begin + OldBob + "\n" + End + after;

        var plan = Plan([Desired(Alice)], current);

        Assert.Equal(before + Begin + Alice + "\n" + End + after, plan.FileText);
        var removed = Assert.Single(plan.Removed);
        Assert.Equal(Fingerprint(OldBob), removed.Key!.Sha256Fingerprint);
    }

    [Fact]
    public void Crlf_markers_are_recognised_and_the_block_is_rewritten()
    {
        string current = Stranger + "\r\n" + "# BEGIN keyagentd\r\n" + Alice + "\r\n" + "# END keyagentd\r\n" + "tail";

        var plan = Plan([Desired(Alice)], current);

        Assert.Equal(Stranger + "\r\n" + Begin + Alice + "\n" + End + "tail", plan.FileText);
        Assert.Single(plan.Kept);
        Assert.Empty(plan.Removed);
    }

    [Fact]
    public void Keys_outside_the_block_are_never_removed_nor_counted()
    {
        string current = Stranger + "\n" + Alice + "\n" + Begin + End;

        var plan = Plan([Desired(Alice)], current);

        Assert.Empty(plan.Removed);
        Assert.Empty(plan.Kept);
        Assert.Single(plan.Added);
        Assert.Equal(Stranger + "\n" + Alice + "\n" + Begin + Alice + "\n" + End, plan.FileText);
    }

    [Fact]
    public void Empty_registry_empties_the_block_but_keeps_the_markers()
    {
        var plan = Plan([], "mine\n" + Begin + Alice + "\n" + End);
        Assert.Equal("mine\n" + Begin + End, plan.FileText);
        Assert.Equal(1, plan.Removed.Count(r => r.Key is not null));
    }

    [Fact]
    public void Planning_its_own_output_again_changes_nothing()
    {
        string current = "# mine\r\n" + Stranger;
        var first = Plan([Desired(Alice), Desired(Bob)], current, Admin);

        var second = Plan([Desired(Bob), Desired(Alice)], first.FileText, Admin);

        Assert.False(second.Changed);
        Assert.Null(second.FileText);
        Assert.Equal(2, second.Kept.Count);
        Assert.StartsWith(current + "\n", first.FileText);
    }

    [Fact]
    public void Break_glass_keys_go_in_the_block_and_stay()
    {
        var plan = Plan([], Begin + Admin + "\n" + Alice + "\n" + End, Admin);
        Assert.Equal(Begin + Admin + "\n" + End, plan.FileText);
        Assert.Equal([Fingerprint(Alice)], plan.Removed.Select(r => r.Key!.Sha256Fingerprint));
    }

    [Fact]
    public void Switching_from_exclusive_keeps_the_lines_the_user_added_outside_the_block()
    {
        var exclusive = PlanFile("alice", [Desired(Alice), Desired(OldBob)], null, OwnershipMode.Exclusive, []);
        string edited = exclusive.FileText! + "# my own key\n" + Stranger + "\n";

        var plan = PlanFile("alice", [Desired(Alice)], edited, OwnershipMode.ManagedBlock, [], cache: exclusive.CacheText);

        Assert.Equal("# my own key\n" + Stranger + "\n" + Begin + Alice + "\n" + End, plan.FileText);
        Assert.Equal([Fingerprint(OldBob)], plan.Removed.Select(r => r.Key!.Sha256Fingerprint));
        Assert.Single(plan.Kept);
        Assert.Empty(plan.Notes);
    }

    [Fact]
    public void Switching_from_exclusive_with_no_record_of_what_was_written_takes_the_whole_file_as_ours()
    {
        string exclusive = PlanFile("alice", [Desired(Alice), Desired(OldBob)], null, OwnershipMode.Exclusive, []).FileText!;

        var plan = Plan([Desired(Alice)], exclusive);

        Assert.Equal(Begin + Alice + "\n" + End, plan.FileText);
        Assert.Equal([Fingerprint(OldBob)], plan.Removed.Select(r => r.Key!.Sha256Fingerprint));
        Assert.Contains("no record", Assert.Single(plan.Notes));
    }

    [Theory]
    [InlineData("# BEGIN keyagentd\nkey\n")]
    [InlineData("# END keyagentd\n# BEGIN keyagentd\n")]
    [InlineData("# BEGIN keyagentd\n# BEGIN keyagentd\n# END keyagentd\n")]
    [InlineData("# BEGIN keyagentd\n# END keyagentd\n# BEGIN keyagentd\n# END keyagentd\n")]
    public void Damaged_markers_refuse_the_account_and_write_nothing(string current)
    {
        var plan = Plan([Desired(Alice)], current);

        Assert.NotNull(plan.Error);
        Assert.Null(plan.FileText);
        Assert.False(plan.Changed);
        Assert.Empty(plan.Removed);
        Assert.Throws<InvalidOperationException>(() => AuthorizedKeysRenderer.RenderManagedBlock(current, [], []));
    }
}
