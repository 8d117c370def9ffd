using System.Net;
using KeyAgentd.Cli;
using KeyAgentd.Tests.Support;
using KeyAgentd.Trust.Root;

namespace KeyAgentd.Tests.RootRotation;

/// <summary>What `root publish` writes, served by a real nginx, is what a host walks: every version in turn, then one 404.</summary>
[Trait("Category", "Integration")]
public sealed class RootPublisherTests : IDisposable
{
    private readonly RootWorkspace _work = new();

    [NginxFact]
    public async Task A_host_behind_by_two_versions_walks_the_published_chain_over_http_and_stops_at_one_404()
    {
        // Its own directory: nginx's workers cannot traverse the workspace's private one.
        using var web = new TempDirectory("keyagentd-root-web-");
        using var nginx = new NginxServer(web.Path);
        _work.SignedFirstRoot();
        Assert.Equal(ExitCodes.Ok, RootPublishCommand.Run(_work.Dir, nginx.Root, null, 2048, RootWorkspace.Now, TextWriter.Null, TextWriter.Null));
        using var http = new HttpClient();
        // The host bootstraps from current.json's version, pinned to alice's and bob's root keys.
        byte[] first = await http.GetByteArrayAsync(nginx.Url("root/current.json"));
        byte[] firstSignature = await http.GetByteArrayAsync(nginx.Url("root/1.json.sig"));
        var host = RootVerifier.VerifyFirst(first, firstSignature, [_work.Fingerprint("alice"), _work.Fingerprint("bob")], 2048, RootWorkspace.Now);
        Assert.True(host.IsAccepted, host.ToString());

        // Two rotations while the host is away: the CI key, then the expiry.
        Assert.Equal(ExitCodes.Ok, _work.Propose(new RootProposeCommand.Request(_work.Version(1))
        {
            RemoveSnapshotSigners = ["ci"],
            AddSnapshotSigners = [$"ci={_work.Pub("ci2")}"],
        }).Exit);
        Assert.Equal(ExitCodes.Ok, _work.Sign(2, "alice").Exit);
        Assert.Equal(ExitCodes.Ok, _work.Sign(2, "bob").Exit);
        Assert.Equal(ExitCodes.Ok, _work.Propose(new RootProposeCommand.Request(_work.Version(2)) { Expires = "700d" }).Exit);
        Assert.Equal(ExitCodes.Ok, _work.Sign(3, "bob").Exit);
        Assert.Equal(ExitCodes.Ok, _work.Sign(3, "alice").Exit);
        Assert.Equal(ExitCodes.Ok, RootPublishCommand.Run(_work.Dir, nginx.Root, null, 2048, RootWorkspace.Now, TextWriter.Null, TextWriter.Null));

        var walk = await RootWalk.WalkAsync(host.Root!, async (version, cancel) =>
        {
            using var document = await http.GetAsync(nginx.Url($"root/{version}.json"), cancel);
            if (document.StatusCode == HttpStatusCode.NotFound)
            {
                return RootFetch.Absent;
            }
            return new RootFetch.Found(await document.Content.ReadAsByteArrayAsync(cancel), await http.GetByteArrayAsync(nginx.Url($"root/{version}.json.sig"), cancel));
        }, 2048, RootWorkspace.Now, CancellationToken.None);

        Assert.Null(walk.Refused);
        Assert.Equal([2L, 3L], walk.Accepted.Select(r => r.Version));
        Assert.Equal([_work.PublicKey("ci2")], walk.Current.Document.SnapshotSigners.Select(s => s.Key));
        Assert.Single(nginx.AccessLogWith(1, l => l.Contains("\"GET /root/4.json HTTP/1.1\" 404 ", StringComparison.Ordinal)),
            l => l.Contains("\"GET /root/4.json HTTP/1.1\" 404 ", StringComparison.Ordinal));
    }

    public void Dispose() => _work.Dispose();
}
