using KeyAgentd.Trust.Root;
using KeyAgentd.Trust.Tests.Support;
using static KeyAgentd.Trust.Tests.Support.RootDocuments;

namespace KeyAgentd.Trust.Tests.Root;

/// <summary>A host walks from its root to the newest, one version at a time, and stops at the first it cannot accept.</summary>
public class RootWalkTests
{
    private static readonly SignerKey Alice = Key("alice");
    private static readonly SignerKey Bob = Key("bob", "ecdsa");
    private static readonly SignerKey Carol = Key("carol", "rsa");
    private static readonly SignerKey Ci = Key("ci");
    private static readonly SignerKey Ci2 = Key("ci2");

    private static readonly TrustRoot V1 = Trusted(Document(1, [("alice", Alice)], 1, [("ci", Ci)]), Alice);

    /// <summary>Published versions by number, as a registry serves root/N.json and root/N.json.sig.</summary>
    private sealed class Published : Dictionary<long, RootFetch>
    {
        public List<long> Asked { get; } = [];

        public Task<RootFetch> Fetch(long version, CancellationToken _)
        {
            Asked.Add(version);
            return Task.FromResult(TryGetValue(version, out var found) ? found : RootFetch.Absent);
        }

        public void Add(TrustRootDocument document, params SignerKey[] signers)
        {
            var (bytes, signature) = Signed(document, signers);
            this[document.Version] = new RootFetch.Found(bytes, signature);
        }
    }

    private static Task<RootWalkResult> Walk(Published published, TrustRoot? start = null) =>
        RootWalk.WalkAsync(start ?? V1, published.Fetch, 2048, Now, CancellationToken.None);

    [Fact]
    public async Task With_no_new_version_published_a_walk_costs_one_question()
    {
        var published = new Published();

        var result = await Walk(published);

        Assert.Same(V1, result.Current);
        Assert.Empty(result.Accepted);
        Assert.Equal([2L], published.Asked);
    }

    [Fact]
    public async Task A_host_offline_through_three_rotations_catches_up_in_one_walk()
    {
        var published = new Published();
        published.Add(Document(2, [("alice", Alice), ("bob", Bob)], 1, [("ci", Ci)], expires: Now.AddDays(-30)), Alice, Bob);
        published.Add(Document(3, [("bob", Bob), ("carol", Carol)], 2, [("ci", Ci)], expires: Now.AddDays(-1)), Alice, Bob, Carol);
        published.Add(Document(4, [("bob", Bob), ("carol", Carol)], 2, [("ci2", Ci2)]), Bob, Carol);

        var result = await Walk(published);

        Assert.Equal([2L, 3L, 4L], result.Accepted.Select(r => r.Version));
        Assert.Equal(4, result.Current.Version);
        Assert.False(result.Expired);
        Assert.Null(result.Refused);
        Assert.Equal([2L, 3L, 4L, 5L], published.Asked);
    }

    [Fact]
    public async Task A_refused_version_stops_the_walk_and_keeps_what_was_accepted_before_it()
    {
        var published = new Published();
        published.Add(Document(2, [("alice", Alice), ("bob", Bob)], 2, [("ci", Ci)]), Alice, Bob);
        published.Add(Document(3, [("bob", Bob)], 1, [("ci", Ci2)]), Bob);

        var result = await Walk(published);

        Assert.Equal(2, result.Current.Version);
        Assert.Equal(RootReason.ThresholdNotMet, result.Refused!.Reason);
        Assert.Equal(3, result.Refused.Version);
    }

    [Fact]
    public async Task An_older_root_served_as_the_next_is_a_rollback()
    {
        var published = new Published();
        var (bytes, signature) = Signed(Document(1, [("alice", Alice)], 1, [("ci", Ci)]), Alice);
        published[2] = new RootFetch.Found(bytes, signature);

        var result = await Walk(published);

        Assert.Same(V1, result.Current);
        Assert.Equal(RootReason.Rollback, result.Refused!.Reason);
    }

    [Fact]
    public async Task The_newest_root_expired_makes_the_walk_unusable_but_keeps_it()
    {
        var published = new Published();
        published.Add(Document(2, [("alice", Alice)], 1, [("ci", Ci)], expires: Now.AddSeconds(-1)), Alice);

        var result = await Walk(published);

        Assert.Equal(2, result.Current.Version);
        Assert.True(result.Expired);
        Assert.False(result.Usable);
    }

    [Fact]
    public async Task A_fetch_problem_stops_the_walk_without_a_refusal()
    {
        var published = new Published { [2] = new RootFetch.Failed("timeout", "no answer in 10 s") };

        var result = await Walk(published);

        Assert.Same(V1, result.Current);
        Assert.Null(result.Refused);
        Assert.Equal("timeout", result.FetchProblem!.Code);
    }

    [Fact]
    public async Task A_walk_stops_after_the_most_versions_one_cycle_walks()
    {
        var published = new Published();
        for (long version = 2; version <= TrustRootRules.MaxVersionsPerWalk + 3; version++)
        {
            published.Add(Document(version, [("alice", Alice)], 1, [("ci", Ci)]), Alice);
        }

        var result = await Walk(published);

        Assert.Equal(1 + TrustRootRules.MaxVersionsPerWalk, result.Current.Version);
        Assert.True(result.MoreToWalk);
        var rest = await Walk(published, result.Current);
        Assert.Equal(TrustRootRules.MaxVersionsPerWalk + 3, rest.Current.Version);
        Assert.False(rest.MoreToWalk);
    }
}
