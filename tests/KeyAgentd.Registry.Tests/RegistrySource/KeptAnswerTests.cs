using System.Text;
using KeyAgentd.Cli;
using KeyAgentd.Core.Policy;
using KeyAgentd.Fetch;
using KeyAgentd.RegistrySource;
using KeyAgentd.RegistrySource.KeysUrl;
using KeyAgentd.Tests.Support;

namespace KeyAgentd.Tests.RegistrySource;

/// <summary>
/// The sources' kept answers live in the registry-side state directory (--state-dir), never in --out:
/// a build never takes keys from the published documents or from a kept answer left in --out, a damaged
/// kept answer is a warning and the URL is fetched in full, and a state directory inside --out is refused.
/// </summary>
public sealed class KeptAnswerTests : IAsyncDisposable
{
    private static readonly string AliceLaptop = SshKeygen.Generate("ed25519", comment: "alice@laptop");
    private static readonly string Mallory = SshKeygen.Generate("ed25519", comment: "mallory@evil");

    private readonly SourceFixture _source = SourceFixture.Standard().Delete("people/alice@example.com.keys");
    private readonly FaultyHttpServer _server;
    private readonly HttpClient _client;
    private volatile bool _up = true;

    public KeptAnswerTests()
    {
        _server = new FaultyHttpServer((request, stream, _) => _up
            ? FaultyHttpServer.WriteAsync(stream, 200, "OK", Encoding.UTF8.GetBytes(AliceLaptop + "\n"), ("ETag", "\"v1\""))
            : FaultyHttpServer.WriteAsync(stream, 404, "Not Found", []));
        _source.File("sources.yaml", $"people:\n  alice@example.com: \"{KeysUrl}\"\n");
        var pipeline = RegistryResilience.Build(new RegistryResilience.Options(TimeSpan.FromSeconds(5), MaxRetries: 1, BaseDelay: TimeSpan.FromMilliseconds(10)));
        _client = new HttpClient(RegistryHttpClient.BuildHandlerChain(pipeline, 64 * 1024, new SocketsHttpHandler()));
    }

    private Uri KeysUrl => new(_server.Url, "/alice.keys");

    private string Kept => Path.Combine(_source.State, KeysUrlCache.FileName);

    [Fact]
    public void Keep_last_never_takes_keys_from_the_published_documents_or_a_kept_answer_left_in_out()
    {
        Assert.Equal(ExitCodes.Ok, Build(out _, out _));
        Assert.True(File.Exists(Kept));
        Assert.Empty(Directory.GetFiles(_source.Output, ".*"));
        // Whoever writes the web root (copied back into --out) plants a key for alice in her document and
        // an old-style kept answer in --out; then her .keys URL fails.
        string document = _source.DocumentPath("web-01");
        File.WriteAllText(document, ReadBackTests.WithExtraKey(File.ReadAllText(document), "alice@example.com", Mallory));
        string legacy = Path.Combine(_source.Output, KeysUrlCache.FileName);
        File.WriteAllText(legacy, $$"""{"schema":"keyagentd.keys-url-cache/v1","entries":[{"url":"{{KeysUrl}}","etag":"\"v1\"","body":"{{Convert.ToBase64String(Encoding.UTF8.GetBytes(Mallory + "\n"))}}"}]}""");
        _up = false;

        Assert.Equal(ExitCodes.Ok, Build(out _, out string stderr, keepLast: true));
        Assert.Contains($"reusing the 1 key(s) alice@example.com had in the previous build ({Kept})", stderr, StringComparison.Ordinal);
        string rebuilt = File.ReadAllText(document);
        Assert.Contains(AliceLaptop, rebuilt, StringComparison.Ordinal);
        Assert.DoesNotContain(Mallory, rebuilt, StringComparison.Ordinal);
        Assert.False(File.Exists(legacy), "a build removes the kept answers earlier versions left in --out");
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void A_damaged_kept_answer_is_a_warning_and_the_url_is_fetched_in_full()
    {
        Assert.Equal(ExitCodes.Ok, Build(out _, out _));
        Assert.Equal(ExitCodes.Ok, Build(out _, out string stderr));
        Assert.Equal("", stderr);
        Assert.True(HasIfNoneMatch(_server.Requests[^1]), "an intact kept answer is asked for conditionally");

        File.WriteAllText(Kept, "{\"schema\":\"keyagentd.keys-url-cache/v1\",\"entries\":[{\"url\":7}]}");
        Assert.Equal(ExitCodes.Ok, Build(out _, out stderr));
        Assert.Contains($"keyagentd: warning: {Kept} is damaged", stderr, StringComparison.Ordinal);
        Assert.False(HasIfNoneMatch(_server.Requests[^1]));

        // One that another user could have written is not used either.
        File.SetUnixFileMode(Kept, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherWrite);
        Assert.Equal(ExitCodes.Ok, Build(out _, out stderr));
        Assert.Contains($"keyagentd: warning: {Kept} is not a regular file of this user that only it can write", stderr, StringComparison.Ordinal);
        Assert.False(HasIfNoneMatch(_server.Requests[^1]));
    }

    [Fact]
    public async Task A_state_directory_inside_out_is_refused()
    {
        var settings = new BuildSettings(new KeyPolicy(null, TimeZoneInfo.Utc), SourceFixture.Now) { StateDirectory = Path.Combine(_source.Output, "state") };
        var stderr = new StringWriter();
        Assert.Equal(ExitCodes.Failed, await RegistryBuildCommand.RunAsync(_source.Root, _source.Output, settings, signKey: null, TextWriter.Null, stderr, () => _client));
        Assert.Contains("is inside --out", stderr.ToString(), StringComparison.Ordinal);
        Assert.False(Directory.Exists(_source.Output));
    }

    [Fact]
    public async Task A_state_directory_that_reaches_into_out_through_a_symlink_is_refused()
    {
        Directory.CreateDirectory(_source.Output);
        string link = Path.Combine(_source.Scratch, "state-link");
        File.CreateSymbolicLink(link, _source.Output);
        var settings = new BuildSettings(new KeyPolicy(null, TimeZoneInfo.Utc), SourceFixture.Now) { StateDirectory = Path.Combine(link, "state") };
        var stderr = new StringWriter();
        Assert.Equal(ExitCodes.Failed, await RegistryBuildCommand.RunAsync(_source.Root, _source.Output, settings, signKey: null, TextWriter.Null, stderr, () => _client));
        Assert.Contains("is inside --out", stderr.ToString(), StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(_source.Output));
    }

    private static bool HasIfNoneMatch(FaultyHttpServer.Request request) =>
        request.Headers.Keys.Any(k => k.Equals("If-None-Match", StringComparison.OrdinalIgnoreCase));

    private int Build(out string stdout, out string stderr, bool keepLast = false)
    {
        var settings = new BuildSettings(new KeyPolicy(null, TimeZoneInfo.Utc), SourceFixture.Now) { KeepLastOnSourceError = keepLast, StateDirectory = _source.State };
        var (outWriter, errWriter) = (new StringWriter(), new StringWriter());
        int exit = BuiltOutput.Wait(() => RegistryBuildCommand.RunAsync(_source.Root, _source.Output, settings, signKey: null, outWriter, errWriter, () => _client));
        (stdout, stderr) = (outWriter.ToString(), errWriter.ToString());
        return exit;
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
        _source.Dispose();
    }
}
