using KeyAgentd.Cli;
using KeyAgentd.State;
using KeyAgentd.Tests.Support;

namespace KeyAgentd.Tests.Cli;

/// <summary>
/// `keyagentd status` as an operator runs it (the real process, the real configuration file): a daemon
/// that stopped syncing is stale even though its last cycle was ok, and a host that never synced says
/// what to configure.
/// </summary>
public sealed class StatusStalenessTests
{
    [Fact]
    public void A_daemon_with_no_cycle_completed_within_twice_its_poll_interval_is_stale_and_exits_1()
    {
        using var sandbox = new CliProcessSandbox(pollInterval: "00:01:00");
        var started = DateTimeOffset.UtcNow.AddMinutes(-10);
        sandbox.State.SaveStatus(new SyncStatus { Outcome = "ok", LastAttempt = started, LastSuccess = started, DurationSeconds = 1, SnapshotSerial = 3 });

        var text = KeyAgentdProcess.Run("--config", sandbox.ConfigPath, "status");
        var json = KeyAgentdProcess.Run("--config", sandbox.ConfigPath, "status", "--json");

        Assert.True(text.ExitCode == ExitCodes.Failed, text.Stdout + text.Stderr);
        Assert.Contains("STALE: no cycle completed within 2m", text.Stdout, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Failed, json.ExitCode);
        var document = System.Text.Json.JsonDocument.Parse(json.Stdout).RootElement;
        Assert.True(document.GetProperty("stale").GetBoolean());
        Assert.True(document.GetProperty("cycle_overdue").GetBoolean());
        Assert.False(document.GetProperty("healthy").GetBoolean());
    }

    [Fact]
    public void A_cycle_within_twice_the_poll_interval_is_not_stale()
    {
        using var sandbox = new CliProcessSandbox(pollInterval: "00:01:00");
        var started = DateTimeOffset.UtcNow.AddSeconds(-90);
        sandbox.State.SaveStatus(new SyncStatus { Outcome = "ok", LastAttempt = started, LastSuccess = started, DurationSeconds = 1, SnapshotSerial = 3 });

        var text = KeyAgentdProcess.Run("--config", sandbox.ConfigPath, "status");

        Assert.True(text.ExitCode == ExitCodes.Ok, text.Stdout + text.Stderr);
        Assert.DoesNotContain("STALE", text.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Before_any_configuration_status_names_registry_url_and_what_to_do()
    {
        using var sandbox = new CliProcessSandbox(registryUrl: null);

        var text = KeyAgentdProcess.Run("--config", sandbox.ConfigPath, "status");

        Assert.Equal(ExitCodes.Failed, text.ExitCode);
        Assert.Contains("Registry:Url is not set", text.Stdout, StringComparison.Ordinal);
        Assert.Contains("systemctl start keyagentd", text.Stdout, StringComparison.Ordinal);
    }
}
