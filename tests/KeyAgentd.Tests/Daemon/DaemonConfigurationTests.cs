using System.Text.Json.Nodes;
using KeyAgentd.Cli;
using KeyAgentd.Tests.Support;
using KeyAgentd.Tests.Sync;
using Mono.Unix.Native;

namespace KeyAgentd.Tests.Daemon;

/// <summary>
/// `keyagentd run` as a process and its configuration: errors at start are one located line and exit 2,
/// the effective intervals are logged, SIGHUP re-reads the file (a valid one applied and its changes
/// logged, a broken one refused with file:line:column, the old one kept, `status` failing).
/// </summary>
public sealed class DaemonConfigurationTests : IDisposable
{
    private static readonly string AliceA = SshKeygen.Generate("ed25519", comment: "alice-a");
    private static readonly string AliceB = SshKeygen.Generate("ed25519", comment: "alice-b", cached: false);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly EngineSandbox _box = new(["alice"]);

    public void Dispose() => _box.Dispose();

    private string ConfigPath => Path.Combine(_box.Root, "keyagentd.json");

    private string SecondRegistryPath => Path.Combine(_box.Root, "registry-b.json");

    private static string Registry(long serial, string key) => EngineSandbox.Registry(serial, new()
    {
        ["alice"] = [EngineSandbox.Key(key, "alice@example.com")],
    });

    /// <summary>The sandbox's configuration as the daemon reads it; <paramref name="registry"/> entries are added to the Registry section as written.</summary>
    private void WriteConfig(string? url, string registry = "", bool files = true)
    {
        string urlLine = url is null ? "" : $"\"Url\": \"{url}\", ";
        File.WriteAllText(ConfigPath, $$"""
            {
              "Registry": { {{urlLine}}"PollInterval": "01:00:00", "Jitter": "0", "AllowedSignersFile": "{{_box.Root}}/no-signers"{{registry}} },
              "Accounts": { "PasswdFile": "{{_box.PasswdPath}}" },
              "Delivery": { "AuthorizedKeysFiles": {{(files ? "true" : "false")}} },
              "State":    { "Directory": "{{_box.Settings.State.Directory}}" },
              "Audit":    { "Path": "{{_box.Settings.Audit.Path}}" }
            }
            """);
    }

    /// <summary>status.json's config_reload, as operators' tooling reads it.</summary>
    private JsonObject? Reload()
    {
        string path = Path.Combine(_box.Settings.State.Directory, "status.json");
        return File.Exists(path) ? JsonNode.Parse(File.ReadAllText(path))?["config_reload"]?.AsObject() : null;
    }

    private bool CycleEndedAfter(DateTimeOffset moment)
    {
        string path = Path.Combine(_box.Settings.State.Directory, "status.json");
        var status = File.Exists(path) ? JsonNode.Parse(File.ReadAllText(path)) : null;
        return status?["last_attempt"] is { } at
            && DateTimeOffset.Parse((string)at!, System.Globalization.CultureInfo.InvariantCulture) >= moment
            && (string?)status["outcome"] == "ok";
    }

    private bool Has(string comment) =>
        File.Exists(_box.KeysPath("alice")) && File.ReadAllText(_box.KeysPath("alice")).Contains(comment, StringComparison.Ordinal);

    private static void Stop(KeyAgentdProcess daemon)
    {
        daemon.Signal(Signum.SIGTERM);
        Assert.True(daemon.WaitForExit(Patience), "SIGTERM did not stop it");
    }

    [Fact]
    public void A_missing_registry_url_is_one_clear_line_and_exit_2()
    {
        WriteConfig(url: null);

        var run = KeyAgentdProcess.Run("--config", ConfigPath, "run");

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        string all = run.Stdout + run.Stderr;
        Assert.Equal($"keyagentd: {ConfigPath}: Registry:Url is not set: set it in the config file (\"Registry\": {{ \"Url\": \"https://keys.example.com/{{hostname}}.json\" }}), in KEYAGENTD_Registry__Url or with --registry",
            all.Trim());
    }

    [Fact]
    public void A_poll_interval_the_timer_cannot_wait_stops_the_start_with_exit_2_and_where_it_is_written()
    {
        _box.WriteRegistry(Registry(1, AliceA));
        WriteConfig("file://" + _box.RegistryPath);
        File.WriteAllText(ConfigPath, File.ReadAllText(ConfigPath).Replace("\"PollInterval\": \"01:00:00\"", "\"PollInterval\": \"30.00:00:00\"", StringComparison.Ordinal));

        var run = KeyAgentdProcess.Run("--config", ConfigPath, "run");

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Matches($@"^keyagentd: {System.Text.RegularExpressions.Regex.Escape(ConfigPath)}:2:\d+: Registry:PollInterval = ""30.00:00:00"" \(30.00:00:00\) is out of range: it must be from 00:00:01 to 1.00:00:00\s*$", run.Stderr);
        Assert.False(File.Exists(_box.KeysPath("alice")), "the daemon ran a cycle with a configuration it should have refused");
    }

    [Fact]
    public void Sixty_means_sixty_seconds_and_the_start_says_what_is_in_effect()
    {
        _box.WriteRegistry(Registry(1, AliceA));
        WriteConfig("file://" + _box.RegistryPath, registry: ", \"Timeout\": \"7s\"");
        File.WriteAllText(ConfigPath, File.ReadAllText(ConfigPath).Replace("\"PollInterval\": \"01:00:00\"", "\"PollInterval\": \"60\"", StringComparison.Ordinal));

        using var daemon = KeyAgentdProcess.Start("--config", ConfigPath, "run");
        Assert.True(KeyAgentdProcess.Eventually(() => Has("alice-a"), Patience), "first cycle: " + daemon.Output);
        Stop(daemon);

        Assert.Equal(ExitCodes.Ok, daemon.ExitCode);
        Assert.Contains($"[INF] registry file://{_box.RegistryPath}: polled every 00:01:00 ± 00:00:00, 00:00:07 per attempt; Accounts:Mode exclusive, Delivery:AuthorizedKeysFiles true", daemon.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Sighup_applies_a_valid_configuration_from_the_next_cycle_and_logs_what_changed()
    {
        _box.WriteRegistry(Registry(1, AliceA));
        File.WriteAllText(SecondRegistryPath, Registry(2, AliceB));
        WriteConfig("file://" + _box.RegistryPath);
        using var daemon = KeyAgentdProcess.Start("--config", ConfigPath, "run");
        Assert.True(KeyAgentdProcess.Eventually(() => Has("alice-a"), Patience), "first cycle: " + daemon.Output);

        WriteConfig("file://" + SecondRegistryPath, registry: ", \"Timeout\": \"5m\"");
        daemon.Signal(Signum.SIGHUP);

        Assert.True(KeyAgentdProcess.Eventually(() => Has("alice-b") && !Has("alice-a"), Patience), "the new Registry:Url was not used: " + daemon.Output);
        Assert.False(daemon.HasExited, "SIGHUP ended the daemon");
        // The files change before the log line reaches the pipe: wait for the line, never race it.
        string reloaded = $"configuration reloaded, in effect from this cycle on: Registry:Timeout 00:00:10 → 00:05:00; Registry:Url file://{_box.RegistryPath} → file://{SecondRegistryPath}";
        Assert.True(KeyAgentdProcess.Eventually(() => daemon.Output.Contains(reloaded, StringComparison.Ordinal), Patience), "no reload line: " + daemon.Output);
        Assert.Equal("applied", (string?)Reload()?["outcome"]);
        Stop(daemon);
        Assert.Equal(ExitCodes.Ok, daemon.ExitCode);
    }

    [Fact]
    public void Sighup_refuses_a_broken_file_keeps_the_old_configuration_and_status_fails()
    {
        _box.WriteRegistry(Registry(1, AliceA));
        WriteConfig("file://" + _box.RegistryPath);
        using var daemon = KeyAgentdProcess.Start("--config", ConfigPath, "run");
        Assert.True(KeyAgentdProcess.Eventually(() => Has("alice-a"), Patience), "first cycle: " + daemon.Output);

        // A typo (no comma after the Registry section) and file delivery turned off: neither may take effect.
        WriteConfig("file://" + _box.RegistryPath, files: false);
        File.WriteAllText(ConfigPath, File.ReadAllText(ConfigPath).Replace("no-signers\" },", "no-signers\" }", StringComparison.Ordinal));
        _box.WriteRegistry(Registry(2, AliceB));
        daemon.Signal(Signum.SIGHUP);

        // Still a sync now, with the old configuration: the new key reaches authorized_keys (files still on).
        Assert.True(KeyAgentdProcess.Eventually(() => Has("alice-b"), Patience), "SIGHUP did not sync with the old configuration: " + daemon.Output);
        Assert.False(daemon.HasExited, "a broken file ended the daemon");
        // The log line may reach the pipe after the file it caused: wait for it rather than race it.
        string refused = $@"\[ERR\] configuration reload REFUSED, the daemon keeps running the configuration it had: {System.Text.RegularExpressions.Regex.Escape(ConfigPath)}:3:3: not valid JSON: ";
        KeyAgentdProcess.Eventually(() => System.Text.RegularExpressions.Regex.IsMatch(daemon.Output, refused), Patience);
        Assert.Matches(refused, daemon.Output);
        Assert.Equal("refused", (string?)Reload()?["outcome"]);
        Assert.StartsWith($"{ConfigPath}:3:3:", (string?)Reload()?["message"], StringComparison.Ordinal);

        // `keyagentd status` with that file is exit 2 with the same located error; what the daemon recorded:
        var status = KeyAgentdProcess.Run("--config", ConfigPath, "status");
        Assert.Equal(ExitCodes.Usage, status.ExitCode);
        Assert.Contains($"{ConfigPath}:3:3: not valid JSON", status.Stderr, StringComparison.Ordinal);
        var statusOfState = new StringWriter();
        Assert.Equal(ExitCodes.Failed, StatusCommand.Run(_box.State, json: false, DateTimeOffset.UtcNow, statusOfState));
        Assert.Contains("config:       reload REFUSED", statusOfState.ToString(), StringComparison.Ordinal);

        // Fixed and reloaded: applied, and status is healthy again.
        WriteConfig("file://" + _box.RegistryPath, files: true);
        daemon.Signal(Signum.SIGHUP);
        Assert.True(KeyAgentdProcess.Eventually(() => (string?)Reload()?["outcome"] == "applied", Patience), daemon.Output);
        KeyAgentdProcess.Eventually(() => daemon.Output.Contains("configuration reloaded: no change", StringComparison.Ordinal), Patience);
        Assert.Contains("configuration reloaded: no change", daemon.Output, StringComparison.Ordinal);
        // The reload is recorded before the cycle it starts: stop only once that cycle has ended, or a stop
        // in its middle leaves it `interrupted`.
        var applied = DateTimeOffset.Parse((string)Reload()!["at"]!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(KeyAgentdProcess.Eventually(() => CycleEndedAfter(applied), Patience), daemon.Output);
        Stop(daemon);
        var healthy = new StringWriter();
        Assert.True(StatusCommand.Run(_box.State, json: false, DateTimeOffset.UtcNow, healthy) == ExitCodes.Ok, healthy.ToString());
    }
}
