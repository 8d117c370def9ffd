using KeyAgentd.Core.Planning;
using KeyAgentd.Core.Snapshot;
using static KeyAgentd.Core.Tests.Planning.PlanKeys;

namespace KeyAgentd.Core.Tests.Planning;

public class PlannerExclusiveTests
{
    private const string Header = AuthorizedKeysRenderer.ExclusiveHeader + "\n";

    private static AccountPlan Plan(IReadOnlyList<DesiredKey> desired, string? current, params string[] breakGlass) =>
        PlanFile("deploy", desired, current, OwnershipMode.Exclusive, breakGlass);

    [Fact]
    public void No_file_yet_adds_every_key_under_the_header()
    {
        var plan = Plan([Desired(Alice), Desired(Bob)], null);

        Assert.Equal(2, plan.Added.Count);
        Assert.Empty(plan.Removed);
        Assert.Empty(plan.Kept);
        Assert.True(plan.Changed);
        Assert.Equal(Header + Alice + "\n" + Bob + "\n", plan.FileText);
    }

    [Fact]
    public void No_file_and_no_keys_writes_nothing()
    {
        var plan = Plan([], null);
        Assert.Null(plan.FileText);
        Assert.False(plan.Changed);
    }

    [Fact]
    public void Empty_file_gets_the_keys()
    {
        var plan = Plan([Desired(Alice)], "");
        Assert.Equal(Header + Alice + "\n", plan.FileText);
        Assert.Single(plan.Added);
    }

    [Fact]
    public void Adds_removes_and_keeps_by_key()
    {
        string current = Alice + "\n" + OldBob + "\n";

        var plan = Plan([Desired(Alice), Desired(Bob)], current);

        Assert.Equal([Fingerprint(Bob)], plan.Added.Select(k => k.Fingerprint));
        Assert.Equal([Fingerprint(Alice)], plan.Kept.Select(k => k.Fingerprint));
        var removed = Assert.Single(plan.Removed);
        Assert.Equal(Fingerprint(OldBob), removed.Key!.Sha256Fingerprint);
        Assert.Equal(RemovalReason.NotGranted, removed.Reason);
        Assert.Equal(Header + Alice + "\n" + Bob + "\n", plan.FileText);
    }

    [Fact]
    public void Unknown_key_is_removed_with_its_full_raw_line()
    {
        string raw = "command=\"/usr/bin/backup\",no-pty  " + Stranger + "   extra words\t";

        var plan = Plan([Desired(Alice)], Alice + "\r\n" + raw + "\r\n");

        var removed = Assert.Single(plan.Removed);
        Assert.Equal(raw, removed.RawLine);
        Assert.Equal(Fingerprint(Stranger), removed.Key!.Sha256Fingerprint);
    }

    [Fact]
    public void Invalid_lines_and_foreign_comments_are_removed_and_kept_for_the_audit()
    {
        string broken = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI!!! broken";
        string current = "# my notes\n" + broken + "\n\n" + Alice + "\n";

        var plan = Plan([Desired(Alice)], current);

        Assert.Equal(2, plan.Removed.Count);
        Assert.Equal("# my notes", plan.Removed[0].RawLine);
        Assert.Equal(RemovalReason.ForeignComment, plan.Removed[0].Reason);
        Assert.Equal(broken, plan.Removed[1].RawLine);
        Assert.Null(plan.Removed[1].Key);
        Assert.Equal(RemovalReason.InvalidLine, plan.Removed[1].Reason);
        Assert.StartsWith("bad-base64", plan.Removed[1].Detail);
        Assert.Equal(0, plan.Removed.Count(r => r.Key is not null));
        Assert.Equal(Header + Alice + "\n", plan.FileText);
    }

    [Fact]
    public void Comment_only_difference_is_not_a_removal()
    {
        string[] parts = Alice.Split(' ');
        string sameKeyOtherComment = parts[0] + " " + parts[1] + " alice@old-laptop";

        var plan = Plan([Desired(Alice)], Header + sameKeyOtherComment + "\n");

        Assert.Empty(plan.Removed);
        Assert.Empty(plan.Added);
        Assert.Single(plan.Kept);
        Assert.True(plan.Changed);
        Assert.Equal(Header + Alice + "\n", plan.FileText);
    }

    [Fact]
    public void Options_change_is_a_rewrite_not_a_removal()
    {
        var plan = Plan([Desired(Alice, options: "from=\"10.0.0.0/8\"")], Header + Alice + "\n");

        Assert.Empty(plan.Removed);
        Assert.Single(plan.Kept);
        Assert.Equal(Header + "from=\"10.0.0.0/8\" " + Alice + "\n", plan.FileText);
    }

    [Fact]
    public void Changed_options_on_a_kept_key_are_listed()
    {
        var plan = Plan([Desired(Alice, options: "from=\"10.0.0.0/8\"")], "no-pty " + Alice + "\n");

        var changed = Assert.Single(plan.OptionsChanged);
        Assert.Equal(Fingerprint(Alice), changed.Fingerprint);
        Assert.Contains($"~ ssh-ed25519 {Fingerprint(Alice)} alice@example.com: options now from=\"10.0.0.0/8\"\n", SyncPlan.Create([plan], [], new RemovalLimits()).RenderDiff());
    }

    [Fact]
    public void Report_mode_counts_a_missing_restriction_as_drift()
    {
        var report = PlanFile("deploy", [Desired(Alice, options: "from=\"10.0.0.0/8\"")], Alice + "\n", OwnershipMode.Report, []);
        Assert.True(report.Changed);
        Assert.Single(report.OptionsChanged);
        Assert.Null(report.FileText);
    }

    [Fact]
    public void Taking_over_a_managed_block_file_does_not_list_the_markers_as_removed()
    {
        string current = "mine\n" + AuthorizedKeysRenderer.BeginMarker + "\n" + Alice + "\n" + AuthorizedKeysRenderer.EndMarker + "\n";

        var plan = Plan([Desired(Alice)], current);

        Assert.Equal(["mine"], plan.Removed.Select(r => r.RawLine));
        Assert.Equal(Header + Alice + "\n", plan.FileText);
    }

    [Fact]
    public void Planning_its_own_output_again_changes_nothing()
    {
        var desired = new[] { Desired(Carol, "carol"), Desired(Alice, "alice", "laptop"), Desired(Bob, "bob", options: "no-pty") };
        var first = Plan(desired, Stranger + "\n", Admin);

        var second = Plan(desired, first.FileText, Admin);

        Assert.False(second.Changed);
        Assert.Null(second.FileText);
        Assert.Empty(second.Added);
        Assert.Empty(second.Removed);
        Assert.Equal(3, second.Kept.Count);
    }

    [Fact]
    public void Output_is_sorted_by_owner_label_fingerprint_whatever_the_input_order()
    {
        var keys = new[] { Desired(Carol, "c"), Desired(Alice, "a", "z"), Desired(Bob, "a", "b") };

        string forward = Plan(keys, null).FileText!;
        string backward = Plan(keys.Reverse().ToList(), null).FileText!;

        Assert.Equal(forward, backward);
        Assert.Equal(Header + Bob + "\n" + Alice + "\n" + Carol + "\n", forward);
    }

    [Fact]
    public void Duplicate_line_of_a_kept_key_is_removed()
    {
        var plan = Plan([Desired(Alice)], Header + Alice + "\n" + Alice + "\n");
        var removed = Assert.Single(plan.Removed);
        Assert.Equal(RemovalReason.DuplicateKey, removed.Reason);
        Assert.Equal(Header + Alice + "\n", plan.FileText);
    }

    [Fact]
    public void Break_glass_keys_are_always_kept_and_written_first()
    {
        var plan = Plan([Desired(Alice)], Admin + "\n" + Stranger + "\n", Admin);

        Assert.Equal([Fingerprint(Stranger)], plan.Removed.Select(r => r.Key!.Sha256Fingerprint));
        Assert.Equal(Header + Admin + "\n" + Alice + "\n", plan.FileText);
    }

    [Fact]
    public void Break_glass_keys_survive_an_empty_registry()
    {
        var plan = Plan([], Header + Admin + "\n" + Alice + "\n", Admin);
        Assert.Equal(Header + Admin + "\n", plan.FileText);
        Assert.Equal(1, plan.Removed.Count(r => r.Key is not null));
    }

    [Fact]
    public void Break_glass_line_wins_over_the_same_registry_key()
    {
        string restricted = "from=\"192.0.2.1\" " + Alice;
        var plan = Plan([Desired(Alice)], null, restricted);
        Assert.Equal(Header + restricted + "\n", plan.FileText);
    }

    [Fact]
    public void Invalid_break_glass_lines_are_ignored_with_a_note()
    {
        var plan = Plan([Desired(Alice)], null, "not a key", "", "# comment", Admin + "\nssh-ed25519 EVIL");

        Assert.Equal(Header + Alice + "\n", plan.FileText);
        Assert.Equal(2, plan.Notes.Count);
        Assert.Contains("break-glass line 1 ignored", plan.Notes[0]);
        Assert.Contains("control-character", plan.Notes[1]);
    }

    [Fact]
    public void Report_mode_computes_the_same_diff_and_writes_nothing()
    {
        string current = Alice + "\n" + OldBob + "\n";

        var report = PlanFile("deploy", [Desired(Alice), Desired(Bob)], current, OwnershipMode.Report, []);
        var exclusive = Plan([Desired(Alice), Desired(Bob)], current);

        Assert.Null(report.FileText);
        Assert.True(report.Changed);
        Assert.Equal(OwnershipMode.Report, report.Mode);
        Assert.Equal(exclusive.Added, report.Added);
        Assert.Equal(exclusive.Kept, report.Kept);
        Assert.Equal(exclusive.Removed, report.Removed);
    }

    [Fact]
    public void Report_mode_without_drift_is_unchanged()
    {
        var report = PlanFile("deploy", [Desired(Alice)], Alice + "\n", OwnershipMode.Report, []);
        Assert.False(report.Changed);
        Assert.Null(report.FileText);
    }

    [Fact]
    public void Rendered_file_reads_back_as_exactly_the_desired_keys()
    {
        var plan = Plan([Desired(Alice, options: "no-pty,from=\"10.0.0.0/8\""), Desired(Carol)], null, Admin);

        var lines = Core.AuthorizedKeys.AuthorizedKeyLineParser.ParseAll(plan.FileText!);

        Assert.Equal(3, lines.Count(l => l.IsKey));
        Assert.DoesNotContain(lines, l => l.Kind == Core.AuthorizedKeys.AuthorizedKeyLineKind.Invalid);
        Assert.Equal(3, SshKeygen.Fingerprint(plan.FileText!).Lines.Length);
    }
}
