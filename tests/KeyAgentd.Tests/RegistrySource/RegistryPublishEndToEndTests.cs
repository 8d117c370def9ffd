using KeyAgentd.Core.Policy;
using KeyAgentd.RegistrySource;
using KeyAgentd.RegistrySource.Signing;
using KeyAgentd.Sync;
using KeyAgentd.Tests.Support;
using KeyAgentd.Tests.Sync;
using KeyAgentd.Trust.Policy;

namespace KeyAgentd.Tests.RegistrySource;

/// <summary>
/// The operator workflow end to end: build and sign a source into the directory a real nginx serves,
/// two hosts sync from `{hostname}` URLs, a person leaves a group, the rebuild changes only that
/// host's document, and nginx keeps answering 304 for the others.
/// </summary>
[Trait("Category", "Integration")]
public sealed class RegistryPublishEndToEndTests
{
    private static readonly string[] Accounts = ["root", "deploy", "dev"];

    [NginxFact]
    public async Task Built_documents_reach_each_host_and_a_removal_touches_only_its_hosts()
    {
        using var source = SourceFixture.Standard();
        using var nginxDir = new TempDirectory();
        using var nginx = new NginxServer(nginxDir.Path);
        string signer = SshKeygen.GeneratePrivate(source.Scratch, "signer", comment: "registry");
        Build(source, nginx.Root, signer, EngineSandbox.Issued);

        string url = $"http://127.0.0.1:{nginx.Port}/{{hostname}}.json";
        using var web = new EngineSandbox(Accounts, url, s => s.Host.Name = "web-01");
        using var dev = new EngineSandbox(Accounts, url, s => s.Host.Name = "dev-01");
        await SyncOk(web);
        await SyncOk(dev);

        Assert.Equal(["alice@laptop", "bob@desk"], Comments(web, "root"));
        Assert.Equal(["ci@build"], Comments(web, "deploy"));
        Assert.False(File.Exists(web.KeysPath("dev")));
        Assert.Equal(["alice@laptop", "bob@desk"], Comments(dev, "root"));
        Assert.Equal(["ci@build"], Comments(dev, "deploy"));
        Assert.Equal(["carol@laptop"], Comments(dev, "dev"));
        Assert.Contains("expiry-time=\"20300102000000Z\"", File.ReadAllText(dev.KeysPath("dev")), StringComparison.Ordinal);

        // Every published document carries a signature the daemon's trust code accepts, for its own host.
        var trust = RegistryTrust.Parse($"registry@example.com {File.ReadAllText(signer + ".pub").Trim()}\n", null, TimeZoneInfo.Utc, new SignaturePolicyOptions());
        using (var http = new HttpClient())
        {
            foreach (string host in (string[])["web-01", "web-02", "dev-01"])
            {
                byte[] document = await http.GetByteArrayAsync(nginx.Url(host + ".json"));
                byte[] signature = await http.GetByteArrayAsync(nginx.Url(host + ".json.sig"));
                Assert.True(trust.Verify(document, signature, EngineSandbox.Issued).IsAccepted, host);
            }
        }

        // Carol leaves the dev group: only dev-01's document changes.
        var before = BuiltOutput.Snapshot(nginx.Root);
        source.File("groups.yaml", "ops:\n  people: [alice@example.com, bob@example.com]\ndev: []\n");
        var result = Build(source, nginx.Root, signer, EngineSandbox.Issued.AddMinutes(1));
        Assert.Equal(["dev-01"], result.Changed);
        var after = BuiltOutput.Snapshot(nginx.Root);
        foreach (string file in (string[])["web-01.json", "web-01.json.sig", "web-02.json", "web-02.json.sig"])
        {
            Assert.Equal(before[file], after[file]);
        }
        Assert.NotEqual(before["dev-01.json"], after["dev-01.json"]);

        await SyncOk(web);
        await SyncOk(dev);
        Assert.Empty(Comments(dev, "dev"));
        Assert.Equal(["alice@laptop", "bob@desk"], Comments(dev, "root"));
        Assert.Equal(["alice@laptop", "bob@desk"], Comments(web, "root"));
        // Each document was asked for three times: two syncs and the check of its signature above.
        var log = nginx.AccessLogWith(6, l => l.Contains("GET /web-01.json ", StringComparison.Ordinal) || l.Contains("GET /dev-01.json ", StringComparison.Ordinal));
        Assert.Contains(" 304 ", log.Last(l => l.Contains("GET /web-01.json ", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Contains(" 200 ", log.Last(l => l.Contains("GET /dev-01.json ", StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    private static BuildResult Build(SourceFixture source, string output, string signer, DateTimeOffset now)
    {
        var result = new RegistryBuilder(new BuildSettings(new KeyPolicy(null, TimeZoneInfo.Utc), now)).Build(source.Read(), output, new SshKeygenSigner(signer));
        Assert.Equal(BuildOutcome.Built, result.Outcome);
        return result;
    }

    private static async Task SyncOk(EngineSandbox box)
    {
        var result = await box.SyncAsync();
        Assert.True(result.Outcome == SyncOutcome.Ok, SyncSummary.Render(result));
    }

    private static List<string> Comments(EngineSandbox box, string account) =>
        File.Exists(box.KeysPath(account))
            ? File.ReadAllLines(box.KeysPath(account)).Where(l => l.Length > 0 && !l.StartsWith('#')).Select(l => l.Split(' ')[^1]).Order(StringComparer.Ordinal).ToList()
            : [];
}
