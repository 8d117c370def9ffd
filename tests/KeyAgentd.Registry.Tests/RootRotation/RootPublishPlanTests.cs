using KeyAgentd.Cli;
using KeyAgentd.RootRotation;

namespace KeyAgentd.Tests.RootRotation;

/// <summary>
/// The publish order never leaves a host with a root it cannot check: versions ascending, each .sig
/// before its .json, current.json last; published versions never change; a broken chain publishes nothing.
/// </summary>
public sealed class RootPublishPlanTests : IDisposable
{
    private readonly RootWorkspace _work = new();

    private RootChainCheck.Result Chain(RootDirectory source) => RootChainCheck.Verify(source.Versions, null, 2048, RootWorkspace.Now);

    private static RootDirectory Empty => new("www/root", [], null);

    /// <summary>Version 1 (alice and bob, both needed) and version 2 (ci replaced by ci2), both fully signed.</summary>
    private RootDirectory TwoVersions()
    {
        _work.SignedFirstRoot();
        Assert.Equal(ExitCodes.Ok, _work.Propose(new RootProposeCommand.Request(_work.Version(1))
        {
            RemoveSnapshotSigners = ["ci"],
            AddSnapshotSigners = [$"ci2={_work.Pub("ci2")}"],
        }).Exit);
        Assert.Equal(ExitCodes.Ok, _work.Sign(2, "alice").Exit);
        Assert.Equal(ExitCodes.Ok, _work.Sign(2, "bob").Exit);
        return RootDirectory.Read(_work.Dir);
    }

    [Fact]
    public void Each_sig_goes_before_its_document_versions_ascend_and_current_comes_last()
    {
        var source = TwoVersions();

        var steps = RootPublishPlan.Decide(source, Chain(source), Empty);

        Assert.Equal(["1.json.sig", "1.json", "2.json.sig", "2.json", "current.json"], steps.Select(s => s.Name));
        Assert.Equal(source.Versions[1].Document, steps[^1].Bytes);
    }

    [Fact]
    public void A_host_polling_between_any_two_writes_checks_every_version_it_can_see()
    {
        var source = TwoVersions();
        var steps = RootPublishPlan.Decide(source, Chain(source), Empty);

        for (int written = 0; written <= steps.Count; written++)
        {
            Assert.True(HostCanCheckAll(steps.Take(written)), $"after {written} write(s)");
        }
        // The checker itself: a document written before its signatures leaves a host a root it cannot check.
        Assert.False(HostCanCheckAll([steps[1]]));
    }

    /// <summary>A web root holding these files: every N.json a host can fetch verifies from version 1 on, and current.json is one of them.</summary>
    private static bool HostCanCheckAll(IEnumerable<RootPublishPlan.Step> written)
    {
        var files = written.ToDictionary(s => s.Name, s => s.Bytes);
        Trust.Root.TrustRoot? current = null;
        for (long version = 1; files.TryGetValue($"{version}.json", out byte[]? document); version++)
        {
            byte[] signature = files.GetValueOrDefault($"{version}.json.sig") ?? [];
            var check = current is null
                ? Trust.Root.RootVerifier.VerifyFirst(document, signature, null, 2048, RootWorkspace.Now)
                : Trust.Root.RootVerifier.VerifySuccessor(current, document, signature, 2048, RootWorkspace.Now);
            if (!check.IsAccepted)
            {
                return false;
            }
            current = check.Root;
        }
        return !files.TryGetValue("current.json", out byte[]? pointer) || (current is not null && pointer.AsSpan().SequenceEqual(current.Bytes));
    }

    [Fact]
    public void Published_versions_are_skipped_when_identical()
    {
        var source = TwoVersions();
        var published = source with { Versions = [source.Versions[0]], Current = source.Versions[0].Document };

        var steps = RootPublishPlan.Decide(source, Chain(source), published);

        Assert.Equal(["2.json.sig", "2.json", "current.json"], steps.Select(s => s.Name));
        Assert.Empty(RootPublishPlan.Decide(source, Chain(source), source with { Current = source.Versions[^1].Document }));
    }

    [Fact]
    public void A_published_version_with_other_bytes_is_refused()
    {
        var source = TwoVersions();
        var first = source.Versions[0];
        var published = source with { Versions = [first with { Signature = [.. first.Signature!.Take(first.Signature!.Length / 2)] }] };

        var e = Assert.Throws<RootRefusedException>(() => RootPublishPlan.Decide(source, Chain(source), published));

        Assert.Equal("root-published-differs", e.Code);
        Assert.Contains("its .sig differs", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_web_root_ahead_of_the_source_is_refused()
    {
        var source = TwoVersions();
        var older = source with { Versions = [source.Versions[0]] };

        var e = Assert.Throws<RootRefusedException>(() => RootPublishPlan.Decide(older, Chain(older), source));

        Assert.Equal(RootRefusal.PublishedDiffers, e.Refusal);
        Assert.Contains("holds version 2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_chain_with_a_version_short_of_its_threshold_is_refused()
    {
        _work.SignedFirstRoot();
        Assert.Equal(ExitCodes.Ok, _work.Propose(new RootProposeCommand.Request(_work.Version(1)) { RootThreshold = 1 }).Exit);
        Assert.Equal(ExitCodes.Ok, _work.Sign(2, "alice").Exit);
        var source = RootDirectory.Read(_work.Dir);

        var e = Assert.Throws<RootRefusedException>(() => RootPublishPlan.Decide(source, Chain(source), Empty));

        Assert.Equal("root-chain-broken", e.Code);
        Assert.Contains("version 2", e.Message, StringComparison.Ordinal);
        Assert.Contains("root-threshold-not-met", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_chain_that_does_not_start_at_version_1_is_refused()
    {
        var source = TwoVersions();
        var pruned = source with { Versions = [source.Versions[1]] };

        var e = Assert.Throws<RootRefusedException>(() => RootPublishPlan.Decide(pruned, Chain(pruned), Empty));

        Assert.Equal(RootRefusal.ChainBroken, e.Refusal);
        Assert.Contains("starts at version 2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_expired_newest_version_is_refused()
    {
        var source = TwoVersions();
        var chain = RootChainCheck.Verify(source.Versions, null, 2048, RootWorkspace.Now.AddDays(400));

        var e = Assert.Throws<RootRefusedException>(() => RootPublishPlan.Decide(source, chain, Empty));

        Assert.Equal(RootRefusal.ChainBroken, e.Refusal);
        Assert.Contains("expired", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_version_file_holding_another_version_is_refused()
    {
        var source = TwoVersions();
        // 2.json and its signatures served as 1.json: a host bootstrapping from root/1.json would start at version 2.
        var renamed = source with { Versions = [source.Versions[1] with { Version = 1 }] };

        var chain = Chain(renamed);

        Assert.Equal(Trust.Root.RootReason.VersionSkip, chain.Verdicts[0].Check!.Reason);
        Assert.Equal(RootRefusal.ChainBroken, Assert.Throws<RootRefusedException>(() => RootPublishPlan.Decide(renamed, chain, Empty)).Refusal);
    }

    public void Dispose() => _work.Dispose();
}
