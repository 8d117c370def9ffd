using KeyAgentd.Cli;
using KeyAgentd.Core.Policy;
using KeyAgentd.Fetch;
using KeyAgentd.RegistrySource;
using KeyAgentd.Tests.Support;

namespace KeyAgentd.Tests.RegistrySource;

/// <summary>
/// sources.yaml people whose keys come from &lt;user&gt;.keys URLs, fetched from a real nginx on loopback:
/// upstream changes reach the documents; 404, 500, a stalled body and an oversized body fail the build
/// naming the person and URL, or with --keep-last-on-source-error reuse the previous build's keys.
/// </summary>
[Trait("Category", "Integration")]
public sealed class KeysUrlSourceTests : IDisposable
{
    private const long MaxBytes = 64 * 1024;

    private static readonly string AliceLaptop = SshKeygen.Generate("ed25519", comment: "alice@laptop");
    private static readonly string AliceDesk = SshKeygen.Generate("ed25519", comment: "alice@desk");

    private readonly TempDirectory _web = new("keyagentd-keys-web-");
    private readonly SourceFixture _source = SourceFixture.Standard().Delete("people/alice@example.com.keys");
    private readonly NginxServer? _nginx;
    private readonly HttpClient _client;

    private static bool AliceKeys(string accessLogLine) => accessLogLine.Contains("GET /alice.keys ", StringComparison.Ordinal);

    public KeysUrlSourceTests()
    {
        if (NginxServer.Executable() is not null)
        {
            // /stalled/ trickles its body at one byte a second, far slower than the attempt timeout (3 s: far
            // above a loaded machine's answer time for the other requests, which must never time out).
            _nginx = new NginxServer(_web.Path, "location = /broken.keys { return 500; } location /stalled/ { limit_rate 1; }");
            _source.File("sources.yaml", $$"""
                keys_url_template: "http://127.0.0.1:{{_nginx.Port}}/{user}.keys"
                people:
                  alice@example.com: alice
                """);
        }
        var pipeline = RegistryResilience.Build(new RegistryResilience.Options(TimeSpan.FromSeconds(3), MaxRetries: 1, BaseDelay: TimeSpan.FromMilliseconds(10)));
        _client = new HttpClient(RegistryHttpClient.BuildHandlerChain(pipeline, MaxBytes, new SocketsHttpHandler()));
    }

    [NginxFact]
    public void A_key_added_or_removed_upstream_appears_or_disappears_with_its_source()
    {
        Upstream("alice.keys", AliceLaptop);
        Assert.Equal(ExitCodes.Ok, Build(out _, out _));
        string document = File.ReadAllText(_source.DocumentPath("web-01"));
        Assert.Contains(AliceLaptop, document, StringComparison.Ordinal);
        Assert.Contains($"\"source\": \"{_nginx!.Url("alice.keys")}\"", document, StringComparison.Ordinal);
        string published = Path.Combine(_source.Scratch, "published");
        Directory.CreateDirectory(published);
        File.Copy(_source.DocumentPath("web-01"), Path.Combine(published, "web-01.json"));

        Upstream("alice.keys", AliceDesk);
        Assert.Equal(ExitCodes.Ok, Build(out _, out string stderr, force: true));
        document = File.ReadAllText(_source.DocumentPath("web-01"));
        Assert.Contains(AliceDesk, document, StringComparison.Ordinal);
        Assert.DoesNotContain(AliceLaptop, document, StringComparison.Ordinal);
        Assert.Equal("", stderr);

        var diff = new StringWriter();
        RegistryDiffCommand.Run(published, _source.Output, new KeyPolicy(null, TimeZoneInfo.Utc), SourceFixture.Now, new KeyAgentd.Core.Planning.RemovalLimits(), json: false, diff);
        string lost = $"- root: alice@example.com {Fingerprint(AliceLaptop)} ssh-ed25519 (from {_nginx.Url("alice.keys")})";
        Assert.Contains(lost, diff.ToString(), StringComparison.Ordinal);
        Assert.Contains($"+ root: alice@example.com {Fingerprint(AliceDesk)} ssh-ed25519 (from {_nginx.Url("alice.keys")})", diff.ToString(), StringComparison.Ordinal);
    }

    [NginxFact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void A_rebuild_asks_with_the_last_etag_and_a_304_reuses_the_body()
    {
        Upstream("alice.keys", AliceLaptop);
        Assert.Equal(ExitCodes.Ok, Build(out _, out _));
        string kept = Path.Combine(_source.State, KeyAgentd.RegistrySource.KeysUrl.KeysUrlCache.FileName);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(kept));
        Assert.Empty(Directory.GetFiles(_source.Output, ".*"));

        Assert.Equal(ExitCodes.Ok, Build(out _, out string stderr));
        Assert.Equal("", stderr);
        Assert.Contains(AliceLaptop, File.ReadAllText(_source.DocumentPath("web-01")), StringComparison.Ordinal);

        Upstream("alice.keys", AliceDesk);
        Assert.Equal(ExitCodes.Ok, Build(out _, out _, force: true));
        Assert.Contains(AliceDesk, File.ReadAllText(_source.DocumentPath("web-01")), StringComparison.Ordinal);

        // nginx's own log: a full GET, a 304 for the unchanged file, a full GET once it changed.
        var statuses = _nginx!.AccessLogWith(3, AliceKeys).Where(AliceKeys)
            .Select(l => l.Split('"')[2].Trim().Split(' ')[0]).ToList();
        Assert.Equal(["200", "304", "200"], statuses);
    }

    [NginxFact]
    public void A_source_that_was_down_during_a_kept_last_build_is_asked_conditionally_once_back()
    {
        Upstream("alice.keys", AliceLaptop);
        Assert.Equal(ExitCodes.Ok, Build(out _, out _));
        _nginx!.Stop();
        Assert.Equal(ExitCodes.Ok, Build(out _, out _, keepLast: true));
        _nginx.Start();

        Assert.Equal(ExitCodes.Ok, Build(out _, out string stderr));

        Assert.Equal("", stderr);
        var statuses = _nginx.AccessLogWith(2, AliceKeys).Where(AliceKeys)
            .Select(l => l.Split('"')[2].Trim().Split(' ')[0]).ToList();
        Assert.Equal(["200", "304"], statuses);
    }

    [NginxFact]
    public void A_deleted_account_fails_the_build_naming_person_and_url_and_leaves_the_output_alone()
    {
        Upstream("alice.keys", AliceLaptop);
        Assert.Equal(ExitCodes.Ok, Build(out _, out _));
        byte[] before = File.ReadAllBytes(_source.DocumentPath("web-01"));
        File.Delete(Path.Combine(_nginx!.Root, "alice.keys"));

        Assert.Equal(ExitCodes.Failed, Build(out _, out string stderr));
        Assert.Contains("error keys-url-unavailable: alice@example.com: keys source failed (http-4xx)", stderr, StringComparison.Ordinal);
        Assert.Contains($"{_nginx.Url("alice.keys")} answered 404", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("unknown-person", stderr, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(_source.DocumentPath("web-01")));
    }

    [NginxFact]
    public void Keep_last_on_source_error_reuses_the_previous_keys_and_says_so()
    {
        Upstream("alice.keys", AliceLaptop);
        Assert.Equal(ExitCodes.Ok, Build(out _, out _));
        File.Delete(Path.Combine(_nginx!.Root, "alice.keys"));

        Assert.Equal(ExitCodes.Ok, Build(out _, out string stderr, keepLast: true));
        Assert.Contains("warning keys-url-unavailable: alice@example.com: keys source failed (http-4xx)", stderr, StringComparison.Ordinal);
        Assert.Contains("reusing the 1 key(s) alice@example.com had in the previous build", stderr, StringComparison.Ordinal);
        string document = File.ReadAllText(_source.DocumentPath("web-01"));
        Assert.Contains(AliceLaptop, document, StringComparison.Ordinal);
        Assert.Contains($"\"source\": \"{_nginx.Url("alice.keys")}\"", document, StringComparison.Ordinal);
    }

    [NginxFact]
    public void Keep_last_without_a_previous_build_still_fails()
    {
        Assert.Equal(ExitCodes.Failed, Build(out _, out string stderr, keepLast: true));
        Assert.Contains("the previous build has no keys for alice@example.com to reuse", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(_source.DocumentPath("web-01")));
    }

    [NginxFact]
    public void A_server_error_fails_after_retries()
    {
        PointAliceAt(_nginx!.Url("broken.keys"));
        Assert.Equal(ExitCodes.Failed, Build(out _, out string stderr));
        Assert.Contains("alice@example.com: keys source failed (http-5xx)", stderr, StringComparison.Ordinal);
        Assert.Contains($"{_nginx.Url("broken.keys")} answered 500", stderr, StringComparison.Ordinal);
        static bool Broken(string line) => line.Contains("/broken.keys", StringComparison.Ordinal);
        Assert.True(_nginx.AccessLogWith(2, Broken).Count(Broken) >= 2, "the 500 was retried");
    }

    [NginxFact]
    public void A_stalled_body_is_cut_by_the_timeout()
    {
        Directory.CreateDirectory(Path.Combine(_nginx!.Root, "stalled"));
        Upstream("stalled/alice.keys", AliceLaptop);
        PointAliceAt(_nginx.Url("stalled/alice.keys"));
        Assert.Equal(ExitCodes.Failed, Build(out _, out string stderr));
        Assert.Contains("alice@example.com: keys source failed (timeout)", stderr, StringComparison.Ordinal);
    }

    [NginxFact]
    public void An_oversized_body_is_refused_by_the_size_cap()
    {
        Upstream("alice.keys", string.Join('\n', Enumerable.Repeat(AliceLaptop, (int)(MaxBytes / AliceLaptop.Length) + 10)));
        Assert.Equal(ExitCodes.Failed, Build(out _, out string stderr));
        Assert.Contains("alice@example.com: keys source failed (too-large)", stderr, StringComparison.Ordinal);
    }

    [NginxFact]
    public async Task Fetched_keys_go_through_the_policy_with_the_url_and_line()
    {
        Upstream("alice.keys", AliceLaptop + "\n" + SshKeygen.Generate("dsa", 1024));
        var stdout = new StringWriter();
        Assert.Equal(ExitCodes.Failed, await RegistryValidateCommand.RunAsync(_source.Root, json: false, defaultDocument: false, new KeyPolicy(null, TimeZoneInfo.Utc), SourceFixture.Now, stdout, TextWriter.Null, () => _client));
        Assert.Contains($"{_nginx!.Url("alice.keys")}:2: error dsa-not-allowed", stdout.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sources_yaml_mistakes_are_reported_with_file_and_line()
    {
        _source.File("sources.yaml", """
            keys_url_template: "https://example.com/keys"
            people:
              alice@example.com: alice
              bob@example.com: https://example.com/bob.keys
              carol@example.com: "ftp://example.com/carol.keys"
            """);
        var stdout = new StringWriter();
        Assert.Equal(ExitCodes.Failed, await RegistryValidateCommand.RunAsync(_source.Root, json: false, defaultDocument: false, new KeyPolicy(null, TimeZoneInfo.Utc), SourceFixture.Now, stdout, TextWriter.Null, () => _client));
        string text = stdout.ToString();
        Assert.Contains("sources.yaml:1:", text, StringComparison.Ordinal);
        Assert.Contains("keys_url_template must be an http(s) URL containing {user}", text, StringComparison.Ordinal);
        Assert.Contains("sources.yaml:4:3: error invalid-value: bob@example.com is defined both here and in people/bob@example.com.keys", text, StringComparison.Ordinal);
        Assert.Contains("carol@example.com: \"ftp://example.com/carol.keys\" is not an http(s) URL", text, StringComparison.Ordinal);
    }

    private static string Fingerprint(string line) => KeyAgentd.Core.AuthorizedKeys.AuthorizedKeyLineParser.Parse(line).Key!.Sha256Fingerprint;

    private void PointAliceAt(Uri url) =>
        _source.File("sources.yaml", $"people:\n  alice@example.com: \"{url}\"\n");

    private void Upstream(string file, string text) => File.WriteAllText(Path.Combine(_nginx!.Root, file), text + "\n");

    private int Build(out string stdout, out string stderr, bool keepLast = false, bool force = false)
    {
        var settings = new BuildSettings(new KeyPolicy(null, TimeZoneInfo.Utc), SourceFixture.Now) { KeepLastOnSourceError = keepLast, Force = force, StateDirectory = _source.State };
        var (outWriter, errWriter) = (new StringWriter(), new StringWriter());
        int exit = BuiltOutput.Wait(() => RegistryBuildCommand.RunAsync(_source.Root, _source.Output, settings, signKey: null, outWriter, errWriter, () => _client));
        (stdout, stderr) = (outWriter.ToString(), errWriter.ToString());
        return exit;
    }

    public void Dispose()
    {
        _client.Dispose();
        _nginx?.Dispose();
        _source.Dispose();
        _web.Dispose();
    }
}
