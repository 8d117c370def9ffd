using KeyAgentd.Cli;
using KeyAgentd.Daemon;
using KeyAgentd.Sync;
using KeyAgentd.Tests.Support;
using KeyAgentd.Tests.Sync;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace KeyAgentd.Tests.Fetch;

/// <summary>The registry as a static file behind a real nginx: ETag/304, removal, outage, recovery.</summary>
[Trait("Category", "Integration")]
public class NginxRegistryTests
{
    private static readonly string AliceA = SshKeygen.Generate("ed25519", comment: "alice-a");
    private static readonly string AliceB = SshKeygen.Generate("ed25519", comment: "alice-b", cached: false);

    private static string Registry(long serial, params string[] keys) => EngineSandbox.Registry(serial, new()
    {
        ["alice"] = [.. keys.Select(k => (System.Text.Json.Nodes.JsonNode)EngineSandbox.Key(k, "alice@example.com"))],
    });

    private static void Publish(NginxServer nginx, string json)
    {
        string tmp = Path.Combine(nginx.Root, "registry.json.tmp");
        File.WriteAllText(tmp, json);
        File.Move(tmp, Path.Combine(nginx.Root, "registry.json"), overwrite: true);
    }

    [NginxFact]
    public async Task Etag_304_removal_outage_and_recovery()
    {
        using var nginxDir = new TempDirectory();
        using var nginx = new NginxServer(nginxDir.Path);
        using var box = new EngineSandbox(["alice"], registryUrl: nginx.Url("registry.json").ToString());
        Publish(nginx, Registry(1, AliceA, AliceB));

        var first = await box.SyncAsync();
        Assert.True(first.Outcome == SyncOutcome.Ok, SyncSummary.Render(first));
        Assert.NotNull(box.State.LoadStatus().ETag);

        var second = await box.SyncAsync();
        Assert.Equal(SyncOutcome.Ok, second.Outcome);
        var lines = nginx.AccessLogWith(2, l => l.Contains("GET /registry.json ", StringComparison.Ordinal));
        Assert.Contains(" 200 ", lines[0], StringComparison.Ordinal);
        Assert.Contains(" 304 ", lines[^1], StringComparison.Ordinal);

        // Removed upstream → removed on disk at the next cycle.
        Publish(nginx, Registry(2, AliceA));
        Assert.Equal(SyncOutcome.Ok, (await box.SyncAsync()).Outcome);
        Assert.DoesNotContain("alice-b", File.ReadAllText(box.KeysPath("alice")), StringComparison.Ordinal);

        // nginx down: exit 3, every byte kept, status says why.
        byte[] before = File.ReadAllBytes(box.KeysPath("alice"));
        nginx.Stop();
        var down = await box.SyncAsync();
        Assert.Equal(SyncOutcome.RegistryUnusable, down.Outcome);
        Assert.Equal(before, File.ReadAllBytes(box.KeysPath("alice")));
        var status = box.State.LoadStatus();
        Assert.Equal("registry-unusable", status.Outcome);
        Assert.NotNull(status.LastRegistryError);
        Assert.Equal(2, status.SnapshotSerial);

        // Back up: sync resumes.
        Publish(nginx, Registry(3, AliceA, AliceB));
        nginx.Start();
        var back = await box.SyncAsync();
        Assert.True(back.Outcome == SyncOutcome.Ok, SyncSummary.Render(back));
        Assert.Contains("alice-b", File.ReadAllText(box.KeysPath("alice")), StringComparison.Ordinal);
        Assert.Null(box.State.LoadStatus().LastRegistryError);
    }

    [NginxFact]
    public async Task The_worker_keeps_running_through_an_outage()
    {
        using var nginxDir = new TempDirectory();
        using var nginx = new NginxServer(nginxDir.Path);
        using var box = new EngineSandbox(["alice"], registryUrl: nginx.Url("registry.json").ToString());
        box.Settings.Registry.PollInterval = TimeSpan.FromSeconds(1);
        Publish(nginx, Registry(1, AliceA));
        using var host = RunCommand.Build(box.Settings, new KeyAgentd.Systemd.ServiceNotifier(null));
        var worker = host.Services.GetRequiredService<SyncWorker>();
        await host.StartAsync();
        try
        {
            Assert.True(await WaitAsync(() => File.Exists(box.KeysPath("alice")), 60), "first cycle");
            nginx.Stop();
            Assert.True(await WaitAsync(() => box.State.LoadStatus().Outcome == "registry-unusable", 90), "outage not reported");
            int cycles = worker.Cycles;
            Assert.True(await WaitAsync(() => worker.Cycles > cycles, 90), "the loop stopped during the outage");
            Assert.False(worker.ExecuteTask!.IsCompleted, "the worker ended");
            Assert.Contains("alice-a", File.ReadAllText(box.KeysPath("alice")), StringComparison.Ordinal);

            Publish(nginx, Registry(2, AliceA, AliceB));
            nginx.Start();
            Assert.True(await WaitAsync(() => File.ReadAllText(box.KeysPath("alice")).Contains("alice-b", StringComparison.Ordinal), 90), "did not resume after nginx came back");
        }
        finally
        {
            await host.StopAsync();
        }
    }

    private static async Task<bool> WaitAsync(Func<bool> condition, int seconds)
    {
        var until = DateTime.UtcNow.AddSeconds(seconds);
        while (DateTime.UtcNow < until)
        {
            if (condition())
            {
                return true;
            }
            await Task.Delay(100);
        }
        return condition();
    }
}
