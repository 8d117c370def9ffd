using System.Diagnostics;
using System.Text;
using KeyAgentd.Fetch;
using KeyAgentd.Tests.Support;

namespace KeyAgentd.Tests.Fetch;

/// <summary>The registry client against a scripted server: every fault ends as a clear, coded result.</summary>
public class HttpRegistrySourceTests
{
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("{\"schema\":\"keyagentd.registry/v1\"}");

    private static HttpRegistrySource Source(Uri url, TimeSpan? attemptTimeout = null, long maxBytes = 8 << 20, int retries = 3)
    {
        var pipeline = RegistryResilience.Build(new RegistryResilience.Options(attemptTimeout ?? TimeSpan.FromSeconds(5), retries, BaseDelay: TimeSpan.FromMilliseconds(20)));
        var client = new HttpClient(RegistrySourceFactory.BuildHandlerChain(pipeline, maxBytes, new SocketsHttpHandler()));
        return new HttpRegistrySource(client, url);
    }

    [Fact]
    public async Task Etag_makes_the_second_poll_a_304()
    {
        await using var server = new FaultyHttpServer((request, stream, _) =>
            request.Headers.TryGetValue("If-None-Match", out string? tag) && tag == "\"v1\""
                ? FaultyHttpServer.WriteAsync(stream, 304, "Not Modified", [], ("ETag", "\"v1\""))
                : FaultyHttpServer.WriteAsync(stream, 200, "OK", Body, ("ETag", "\"v1\"")));
        var source = Source(server.Url);

        var first = await source.FetchAsync(null, default);
        var second = await source.FetchAsync(first.ETag, default);

        Assert.Equal(RegistryFetchStatus.Ok, first.Status);
        Assert.Equal(Body, first.Content);
        Assert.Equal("\"v1\"", first.ETag);
        Assert.Equal(RegistryFetchStatus.NotModified, second.Status);
        Assert.Equal("\"v1\"", server.Requests[1].Headers["If-None-Match"]);
    }

    [Fact]
    public async Task Server_errors_are_retried_until_success()
    {
        int calls = 0;
        await using var server = new FaultyHttpServer((_, stream, _) =>
            Interlocked.Increment(ref calls) <= 2
                ? FaultyHttpServer.WriteAsync(stream, 500, "Internal Server Error", [])
                : FaultyHttpServer.WriteAsync(stream, 200, "OK", Body));

        var result = await Source(server.Url).FetchAsync(null, default);

        Assert.Equal(RegistryFetchStatus.Ok, result.Status);
        Assert.Equal(3, calls);
    }

    [Fact]
    public async Task Persistent_server_errors_end_as_http_5xx()
    {
        await using var server = new FaultyHttpServer((_, stream, _) => FaultyHttpServer.WriteAsync(stream, 503, "Service Unavailable", []));
        var result = await Source(server.Url, retries: 2).FetchAsync(null, default);
        Assert.Equal(RegistryFetchStatus.Failed, result.Status);
        Assert.Equal("http-5xx", result.ErrorCode);
        Assert.Equal(3, server.Requests.Count);
    }

    [Fact]
    public async Task Too_many_requests_waits_for_retry_after()
    {
        int calls = 0;
        await using var server = new FaultyHttpServer((_, stream, _) =>
            Interlocked.Increment(ref calls) == 1
                ? FaultyHttpServer.WriteAsync(stream, 429, "Too Many Requests", [], ("Retry-After", "1"))
                : FaultyHttpServer.WriteAsync(stream, 200, "OK", Body));
        var clock = Stopwatch.StartNew();

        var result = await Source(server.Url).FetchAsync(null, default);

        Assert.Equal(RegistryFetchStatus.Ok, result.Status);
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(0.9), $"retried after {clock.Elapsed}, before Retry-After");
    }

    [Fact]
    public async Task Body_that_stalls_mid_way_times_out()
    {
        await using var server = new FaultyHttpServer(async (_, stream, stop) =>
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1000\r\n\r\n{\"schema\""), stop);
            await stream.FlushAsync(stop);
            await Task.Delay(TimeSpan.FromSeconds(30), stop);
        });

        var result = await Source(server.Url, attemptTimeout: TimeSpan.FromMilliseconds(300), retries: 1).FetchAsync(null, default);

        Assert.Equal(RegistryFetchStatus.Failed, result.Status);
        Assert.Equal("timeout", result.ErrorCode);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Body_over_the_cap_is_refused_while_streaming(bool announceLength)
    {
        long written = 0;
        const long Huge = 100L << 20;
        await using var server = new FaultyHttpServer(async (_, stream, stop) =>
        {
            string length = announceLength ? $"Content-Length: {Huge}\r\n" : "";
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nConnection: close\r\n{length}\r\n"), stop);
            var chunk = new byte[65536];
            while (written < Huge)
            {
                await stream.WriteAsync(chunk, stop);
                Interlocked.Add(ref written, chunk.Length);
            }
        });

        var result = await Source(server.Url, maxBytes: 1 << 20).FetchAsync(null, default);

        Assert.Equal("too-large", result.ErrorCode);
        Assert.True(Interlocked.Read(ref written) < Huge, "the whole body was read despite the cap");
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task Connection_refused_is_unreachable()
    {
        int port = LoopbackPorts.Reserve();

        var result = await Source(new Uri($"http://127.0.0.1:{port}/r.json"), retries: 1).FetchAsync(null, default);

        Assert.Equal("unreachable", result.ErrorCode);
    }

    [Fact]
    public async Task Not_found_is_http_4xx_and_not_retried()
    {
        await using var server = new FaultyHttpServer((_, stream, _) => FaultyHttpServer.WriteAsync(stream, 404, "Not Found", []));
        var result = await Source(server.Url).FetchAsync(null, default);
        Assert.Equal("http-4xx", result.ErrorCode);
        Assert.Single(server.Requests);
    }

    [Fact]
    public void Hostname_is_expanded_in_the_url()
    {
        Assert.Equal("https://keys.example.com/hosts/web-1.json", RegistryUrl.Expand("https://keys.example.com/hosts/{hostname}.json", "web-1"));
        Assert.Equal("https://r/a%2Fb.json", RegistryUrl.Expand("https://r/{hostname}.json", "a/b"));
    }

    [Fact]
    public async Task A_dead_registry_opens_the_circuit_and_is_left_alone()
    {
        await using var server = new FaultyHttpServer((_, stream, _) => FaultyHttpServer.WriteAsync(stream, 503, "Service Unavailable", []));
        var source = Source(server.Url);
        var codes = new List<string?>();
        for (int i = 0; i < 4; i++)
        {
            codes.Add((await source.FetchAsync(null, default)).ErrorCode);
        }

        Assert.Equal("circuit-open", codes[^1]);
        Assert.True(server.Requests.Count < 16, $"{server.Requests.Count} requests reached a registry known to be down");
    }
}
