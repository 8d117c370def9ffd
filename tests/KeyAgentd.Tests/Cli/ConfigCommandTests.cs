using KeyAgentd.Cli;
using KeyAgentd.Tests.Support;

namespace KeyAgentd.Tests.Cli;

/// <summary>`keyagentd config validate`: the daemon's own loader and checks, for ExecReload and for operators.</summary>
public sealed class ConfigCommandTests : IDisposable
{
    private readonly Sync.EngineSandbox _box = new(["alice"]);

    public void Dispose() => _box.Dispose();

    private string Config(string json)
    {
        string path = Path.Combine(_box.Root, "keyagentd.json");
        File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public void A_usable_configuration_is_exit_0_with_what_would_run()
    {
        string path = Config("""{ "Registry": { "Url": "https://keys.example.com/{hostname}.json", "PollInterval": "90s" } }""");

        var result = KeyAgentdProcess.Run("--config", path, "config", "validate");

        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        Assert.StartsWith($"{path}: ok: registry https://keys.example.com/{{hostname}}.json, polled every 00:01:30 ± 00:00:15, 00:00:10 per attempt", result.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{ "Registry": { "PollInterval": "60" } }""", "Registry:Url is not set")]
    [InlineData("""{ "Registry": { "Url": "ftp://keys.example.com/x.json" } }""", ":1:24: Registry:Url \"ftp://keys.example.com/x.json\" must be file:///… or http(s)://…")]
    [InlineData("""{ "Registry": { "Url": "file:///srv/r.json", "CaFile": "/nonexistent/ca.pem" } }""", ":1:56: Registry:CaFile /nonexistent/ca.pem cannot be read")]
    [InlineData("""{ "Registry": { "Url": "file:///srv/r.json" """, ":1:")]
    public void What_the_daemon_would_refuse_is_exit_2_with_where_and_why(string json, string expected)
    {
        string path = Config(json);

        var result = KeyAgentdProcess.Run("--config", path, "config", "validate");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.StartsWith($"keyagentd: {path}", result.Stderr, StringComparison.Ordinal);
        Assert.Contains(expected, result.Stderr, StringComparison.Ordinal);
        Assert.Equal("", result.Stdout);
    }
}
