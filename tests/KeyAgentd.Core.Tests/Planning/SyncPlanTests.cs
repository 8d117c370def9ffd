using KeyAgentd.Core.Planning;
using KeyAgentd.Core.Policy;
using KeyAgentd.Core.Snapshot;
using static KeyAgentd.Core.Tests.Planning.PlanKeys;

namespace KeyAgentd.Core.Tests.Planning;

public class SyncPlanTests
{
    [Fact]
    public void Diff_lists_counts_additions_removals_and_rejections()
    {
        var desired = new[] { Desired(Alice, "alice@example.com", "laptop"), Desired(Bob, "bob@example.com"), Desired(Carol, "carol@example.com") };
        var deploy = PlanFile("deploy", desired, Carol + "\n" + OldBob + "\n", OwnershipMode.Exclusive, []);
        var rejection = KeyRejection.Create("deploy", "dave@example.com", "old", "ssh-dss AAAA", "SHA256:x", new Verdict(ReasonCode.DsaNotAllowed, "DSA keys are broken"));

        string diff = SyncPlan.Create([deploy], [rejection], new RemovalLimits()).RenderDiff();

        string[] lines = diff.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("deploy: +2 -1 =1", lines[0]);
        Assert.Equal($"+ ssh-ed25519 {Fingerprint(Alice)} alice@example.com (laptop)", lines[1]);
        Assert.Equal($"+ ecdsa-sha2-nistp256 {Fingerprint(Bob)} bob@example.com", lines[2]);
        Assert.Equal($"- ssh-rsa {Fingerprint(OldBob)} not-granted 'bob@old'", lines[3]);
        Assert.Equal("rejected: deploy dave@example.com (old) SHA256:x dsa-not-allowed: DSA keys are broken", lines[4]);
        Assert.Equal(5, lines.Length);
    }

    [Fact]
    public void Diff_shows_modes_rewrites_refusals_notes_and_a_tripped_guard()
    {
        var root = PlanFile("root", [], Alice + "\n", OwnershipMode.Exclusive, ["garbage"]);
        var web = PlanFile("web", [Desired(Alice)], "", OwnershipMode.Report, []);
        var ops = PlanFile("ops", [Desired(Alice)], "# BEGIN keyagentd\n", OwnershipMode.ManagedBlock, []);
        var same = PlanFile("same", [Desired(Alice)], "stale " + Alice + "\n", OwnershipMode.Exclusive, []);

        string diff = SyncPlan.Create([web, root, ops, same], [], new RemovalLimits(50, 1)).RenderDiff();

        Assert.Contains("ops (managed-block): refused: the managed block is damaged", diff);
        Assert.Contains("root: +0 -1 =0\n- ssh-ed25519 ", diff);
        Assert.Contains("  note: break-glass line 1 ignored", diff);
        Assert.Contains("web (report): +1 -0 =0 (drift, nothing written)", diff);
        Assert.Contains("removal guard: this sync would remove 1 of 1 managed keys (100%)", diff);
        Assert.True(diff.IndexOf("ops", StringComparison.Ordinal) < diff.IndexOf("root", StringComparison.Ordinal));
    }

    [Fact]
    public void Comment_change_shows_as_a_rewrite()
    {
        string[] parts = Alice.Split(' ');
        var plan = PlanFile("deploy", [Desired(Alice)], AuthorizedKeysRenderer.ExclusiveHeader + "\n" + parts[0] + " " + parts[1] + "\n", OwnershipMode.Exclusive, []);
        Assert.StartsWith("deploy: +0 -0 =1 (rewritten)\n", SyncPlan.Create([plan], [], new RemovalLimits()).RenderDiff());
    }

    [Fact]
    public void Hostile_text_cannot_forge_diff_lines()
    {
        var plan = PlanFile("deploy", [], "ssh-ed25519 AAAA\u001b[2J\n", OwnershipMode.Exclusive, []);
        var rejection = KeyRejection.Create("deploy", "eve\n+ ssh-ed25519 fake", null, "x", null, new Verdict(ReasonCode.ControlCharacter, "bad"));

        string diff = SyncPlan.Create([plan], [rejection], new RemovalLimits()).RenderDiff();

        Assert.DoesNotContain('\u001b', diff);
        Assert.DoesNotContain("\n+ ssh-ed25519 fake", diff);
    }

    [Fact]
    public void Has_writes_only_when_a_file_changes()
    {
        var unchanged = PlanFile("a", [], null, OwnershipMode.Exclusive, []);
        Assert.False(SyncPlan.Create([unchanged], [], new RemovalLimits()).HasWrites);
        Assert.True(SyncPlan.Create([PlanFile("a", [Desired(Alice)], null, OwnershipMode.Exclusive, [])], [], new RemovalLimits()).HasWrites);
    }
}
