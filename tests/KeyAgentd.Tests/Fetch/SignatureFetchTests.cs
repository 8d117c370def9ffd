using System.Text;
using KeyAgentd.Fetch;
using KeyAgentd.Tests.Support;

namespace KeyAgentd.Tests.Fetch;

/// <summary>U.sig beside the snapshot U: the same client, retries and size cap; "none there" is told apart from "could not ask".</summary>
public class SignatureFetchTests
{
    private static readonly byte[] Sig = Encoding.ASCII.GetBytes("-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n-----END SSH SIGNATURE-----\n");

    private static HttpRegistrySource Source(Uri url, long maxBytes = 8 << 20, int retries = 3)
    {
        var pipeline = RegistryResilience.Build(new RegistryResilience.Options(TimeSpan.FromSeconds(5), retries, BaseDelay: TimeSpan.FromMilliseconds(20)));
        return new HttpRegistrySource(new HttpClient(RegistrySourceFactory.BuildHandlerChain(pipeline, maxBytes, new SocketsHttpHandler())), url);
    }

    [Fact]
    public async Task The_signature_is_fetched_unconditionally_beside_the_snapshot_and_retried()
    {
        int calls = 0;
        await using var server = new FaultyHttpServer((_, stream, _) => Interlocked.Increment(ref calls) == 1
            ? FaultyHttpServer.WriteAsync(stream, 503, "Service Unavailable", [])
            : FaultyHttpServer.WriteAsync(stream, 200, "OK", Sig, ("ETag", "\"s1\"")));
        var source = Source(server.Url);

        var result = await source.FetchSignatureAsync(default);

        Assert.Equal(RegistryFetchStatus.Ok, result.Status);
        Assert.Equal(Sig, result.Content);
        Assert.All(server.Requests, r => Assert.Equal("/registry.json.sig", r.Path));
        Assert.All(server.Requests, r => Assert.False(r.Headers.ContainsKey("If-None-Match")));
        Assert.Equal(server.Url + ".sig", source.SignatureLocation);
    }

    [Theory]
    [InlineData(404, "Not Found", RegistryFetchStatus.Missing, null)]
    [InlineData(410, "Gone", RegistryFetchStatus.Missing, null)]
    [InlineData(403, "Forbidden", RegistryFetchStatus.Failed, "http-4xx")]
    [InlineData(500, "Internal Server Error", RegistryFetchStatus.Failed, "http-5xx")]
    public async Task Absent_is_missing_and_anything_else_a_fault(int status, string reason, RegistryFetchStatus expected, string? code)
    {
        await using var server = new FaultyHttpServer((_, stream, _) => FaultyHttpServer.WriteAsync(stream, status, reason, []));
        var result = await Source(server.Url, retries: 1).FetchSignatureAsync(default);
        Assert.Equal(expected, result.Status);
        Assert.Equal(code, result.ErrorCode);
    }

    [Fact]
    public async Task The_size_cap_holds_for_the_signature_too()
    {
        await using var server = new FaultyHttpServer((_, stream, _) => FaultyHttpServer.WriteAsync(stream, 200, "OK", new byte[4096]));
        var result = await Source(server.Url, maxBytes: 1024).FetchSignatureAsync(default);
        Assert.Equal("too-large", result.ErrorCode);
    }

    [Fact]
    public async Task File_sources_read_the_sig_file_beside_the_snapshot()
    {
        using var dir = new TempDirectory();
        var source = new FileRegistrySource(dir.File("registry.json"), 1024);
        Assert.Equal(RegistryFetchStatus.Missing, (await source.FetchSignatureAsync(default)).Status);
        File.WriteAllBytes(dir.File("registry.json.sig"), Sig);
        Assert.Equal(Sig, (await source.FetchSignatureAsync(default)).Content);
        File.WriteAllBytes(dir.File("registry.json.sig"), new byte[2048]);
        Assert.Equal("too-large", (await source.FetchSignatureAsync(default)).ErrorCode);
    }
}
