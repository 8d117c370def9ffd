using KeyAgentd.Sync;
using System.Text;
using KeyAgentd.Cli;
using KeyAgentd.Tests.Support;

namespace KeyAgentd.Tests.Sync;

/// <summary>
/// Registry faults through the whole `sync` cycle over HTTP (FaultyHttpServer): every failure keeps
/// every authorized_keys byte-identical, is reported with a reason, and the last-known-good stays in use.
/// </summary>
public class SyncEngineHttpFaultTests
{
    private static readonly string AliceA = SshKeygen.Generate("ed25519", comment: "alice-a");
    private static readonly string AliceB = SshKeygen.Generate("ed25519", comment: "alice-b", cached: false);

    private static byte[] Doc(long serial, params string[] keys) => Encoding.UTF8.GetBytes(EngineSandbox.Registry(serial, new()
    {
        ["alice"] = [.. keys.Select(k => (System.Text.Json.Nodes.JsonNode)EngineSandbox.Key(k, "alice@example.com"))],
    }));

    private static Task Ok(Stream stream, byte[] body) => FaultyHttpServer.WriteAsync(stream, 200, "OK", body);

    /// <summary>A server whose behaviour the test swaps between cycles.</summary>
    private sealed class Scripted : IAsyncDisposable
    {
        public Scripted() => Server = new FaultyHttpServer((request, stream, stop) => Respond(request, stream, stop));

        public FaultyHttpServer Server { get; }

        public Func<FaultyHttpServer.Request, Stream, CancellationToken, Task> Respond { get; set; } = (_, _, _) => Task.CompletedTask;

        public ValueTask DisposeAsync() => Server.DisposeAsync();
    }

    private static async Task<(Scripted Http, EngineSandbox Box, byte[] Before)> AppliedAsync(TimeSpan? timeout = null)
    {
        var http = new Scripted { Respond = (_, s, _) => Ok(s, Doc(5, AliceA, AliceB)) };
        var box = new EngineSandbox(["alice"], registryUrl: http.Server.Url.ToString(), configure: s =>
        {
            s.Registry.Timeout = timeout ?? TimeSpan.FromSeconds(2);
            s.Registry.MaxBytes = 1 << 20;
            // Two keys: the guard's floor is lowered so an emptied snapshot trips it on this small host.
            s.Safety.MinRemovedKeys = 1;
        });
        var first = await box.SyncAsync();
        Assert.True(first.Outcome == SyncOutcome.Ok, SyncSummary.Render(first));
        return (http, box, File.ReadAllBytes(box.KeysPath("alice")));
    }

    private static async Task AssertRefusedAsync(Func<FaultyHttpServer.Request, Stream, CancellationToken, Task> fault, SyncOutcome exit, string reason, TimeSpan? timeout = null)
    {
        var (http, box, before) = await AppliedAsync(timeout);
        await using (http)
        using (box)
        {
            http.Respond = fault;
            var result = await box.SyncAsync();

            Assert.True(result.Outcome == exit, $"exit {result.Outcome}: {SyncSummary.Render(result)}");
            Assert.Equal(before, File.ReadAllBytes(box.KeysPath("alice")));
            var status = box.State.LoadStatus();
            Assert.Equal(5, status.SnapshotSerial);
            Assert.Equal(2, status.AccountKeys["alice"]);
            Assert.Equal(Doc(5, AliceA, AliceB), box.State.LoadSnapshot());
            if (exit == SyncOutcome.RegistryUnusable)
            {
                Assert.Equal("registry-unusable", status.Outcome);
                Assert.Contains(reason, status.LastRegistryError ?? "", StringComparison.Ordinal);
            }
            else
            {
                Assert.Contains(reason, SyncSummary.Render(result), StringComparison.Ordinal);
            }

            // The last-known-good keeps being used: a later good answer still applies cleanly.
            http.Respond = (_, s, _) => Ok(s, Doc(6, AliceA, AliceB));
            var recovered = await box.SyncAsync();
            Assert.True(recovered.Outcome == SyncOutcome.Ok, SyncSummary.Render(recovered));
            Assert.Null(box.State.LoadStatus().LastRegistryError);
        }
    }

    [Fact]
    public async Task Server_errors_then_success_are_retried_and_applied()
    {
        var (http, box, _) = await AppliedAsync();
        await using (http)
        using (box)
        {
            int calls = 0;
            http.Respond = (_, s, _) => Interlocked.Increment(ref calls) <= 2
                ? FaultyHttpServer.WriteAsync(s, 500, "Internal Server Error", [])
                : Ok(s, Doc(6, AliceA));
            var result = await box.SyncAsync();
            Assert.True(result.Outcome == SyncOutcome.Ok, SyncSummary.Render(result));
            Assert.Equal(3, calls);
            Assert.DoesNotContain("alice-b", File.ReadAllText(box.KeysPath("alice")), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Too_many_requests_with_retry_after_then_applied()
    {
        var (http, box, _) = await AppliedAsync();
        await using (http)
        using (box)
        {
            int calls = 0;
            http.Respond = (_, s, _) => Interlocked.Increment(ref calls) == 1
                ? FaultyHttpServer.WriteAsync(s, 429, "Too Many Requests", [], ("Retry-After", "1"))
                : Ok(s, Doc(6, AliceA));
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var result = await box.SyncAsync();
            Assert.True(result.Outcome == SyncOutcome.Ok, SyncSummary.Render(result));
            Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(0.9), $"retried after {clock.Elapsed}");
        }
    }

    [Fact]
    public Task Persistent_server_errors() =>
        AssertRefusedAsync((_, s, _) => FaultyHttpServer.WriteAsync(s, 503, "Service Unavailable", []), SyncOutcome.RegistryUnusable, "http-5xx");

    [Fact]
    public Task Body_that_stalls_mid_way() => AssertRefusedAsync(async (_, s, stop) =>
    {
        await s.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1000\r\n\r\n{\"schema\""), stop);
        await s.FlushAsync(stop);
        await Task.Delay(TimeSpan.FromSeconds(60), stop);
    }, SyncOutcome.RegistryUnusable, "timeout", TimeSpan.FromMilliseconds(500));

    [Fact]
    public Task Hundred_mebibyte_body() => AssertRefusedAsync(async (_, s, stop) =>
    {
        await s.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: {100L << 20}\r\n\r\n"), stop);
        var chunk = new byte[65536];
        for (long sent = 0; sent < 100L << 20; sent += chunk.Length)
        {
            await s.WriteAsync(chunk, stop);
        }
    }, SyncOutcome.RegistryUnusable, "too-large");

    [Fact]
    public Task Invalid_json() => AssertRefusedAsync((_, s, _) => Ok(s, "{\"schema\": "u8.ToArray()), SyncOutcome.RegistryUnusable, ":");

    [Fact]
    public Task Wrong_schema() => AssertRefusedAsync((_, s, _) => Ok(s, Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(Doc(6, AliceA)).Replace("registry/v1", "registry/v2", StringComparison.Ordinal))), SyncOutcome.RegistryUnusable, ":");

    [Fact]
    public Task Lower_serial() => AssertRefusedAsync((_, s, _) => Ok(s, Doc(4, AliceA)), SyncOutcome.RegistryUnusable, ":");

    [Fact]
    public Task Expired_snapshot() => AssertRefusedAsync((_, s, _) => Ok(s, Encoding.UTF8.GetBytes(EngineSandbox.Registry(6, new()
    {
        ["alice"] = [EngineSandbox.Key(AliceA, "alice@example.com")],
    }, expires: EngineSandbox.Issued.AddMinutes(1)))), SyncOutcome.RegistryUnusable, ":");

    [Fact]
    public Task Empty_accounts_trip_the_mass_removal_guard() =>
        AssertRefusedAsync((_, s, _) => Ok(s, Encoding.UTF8.GetBytes(EngineSandbox.Registry(6, []))), SyncOutcome.GuardTripped, "MaxRemovalPercent");
}
