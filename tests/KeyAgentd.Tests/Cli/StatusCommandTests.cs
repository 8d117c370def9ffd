using KeyAgentd.Sync;
using System.Text.Json;
using KeyAgentd.Cli;
using KeyAgentd.Tests.Support;
using KeyAgentd.Tests.Sync;

namespace KeyAgentd.Tests.Cli;

/// <summary>`keyagentd status [--json]` after real cycles: fields, stale flag, exit 1 when stale or failed.</summary>
public class StatusCommandTests
{
    private static readonly string AliceA = SshKeygen.Generate("ed25519", comment: "alice-a");
    private static readonly string DeployA = SshKeygen.Generate("ed25519", comment: "deploy-a", cached: false);

    private static string Doc(long serial, DateTimeOffset? expires = null) => EngineSandbox.Registry(serial, new()
    {
        ["alice"] = [EngineSandbox.Key(AliceA, "alice@example.com")],
        ["deploy"] = [EngineSandbox.Key(AliceA, "alice@example.com"), EngineSandbox.Key(DeployA, "ci")],
    }, expires);

    private static (int Exit, JsonElement Json, string Text) Status(EngineSandbox box, DateTimeOffset now)
    {
        var json = new StringWriter();
        int exit = StatusCommand.Run(box.State, true, now, json);
        var text = new StringWriter();
        Assert.Equal(exit, StatusCommand.Run(box.State, false, now, text));
        return (exit, JsonDocument.Parse(json.ToString()).RootElement.Clone(), text.ToString());
    }

    [Fact]
    public async Task Healthy_after_a_good_cycle()
    {
        using var box = new EngineSandbox(["alice", "deploy"]);
        box.WriteRegistry(Doc(7));
        Assert.Equal(SyncOutcome.Ok, (await box.SyncAsync()).Outcome);
        var now = box.Time.GetUtcNow().AddSeconds(30);

        var (exit, json, text) = Status(box, now);

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Equal("ok", json.GetProperty("outcome").GetString());
        Assert.Equal(7, json.GetProperty("snapshot_serial").GetInt64());
        Assert.Equal(box.Time.GetUtcNow(), json.GetProperty("last_attempt").GetDateTimeOffset());
        Assert.Equal(box.Time.GetUtcNow(), json.GetProperty("last_success").GetDateTimeOffset());
        Assert.Equal((now - EngineSandbox.Issued).TotalSeconds, json.GetProperty("snapshot_age_seconds").GetDouble());
        Assert.Equal(1, json.GetProperty("account_keys").GetProperty("alice").GetInt32());
        Assert.Equal(2, json.GetProperty("account_keys").GetProperty("deploy").GetInt32());
        Assert.False(json.GetProperty("stale").GetBoolean());
        Assert.True(json.GetProperty("healthy").GetBoolean());
        Assert.Contains("serial 7", text, StringComparison.Ordinal);
        Assert.Contains("deploy", text, StringComparison.Ordinal);
        Assert.Contains("2 key(s)", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Registry_failure_exits_one_and_names_the_error()
    {
        using var box = new EngineSandbox(["alice", "deploy"]);
        box.WriteRegistry(Doc(7));
        await box.SyncAsync();
        box.WriteRegistry("not json");
        Assert.Equal(SyncOutcome.RegistryUnusable, (await box.SyncAsync()).Outcome);

        var (exit, json, text) = Status(box, box.Time.GetUtcNow());

        Assert.Equal(ExitCodes.Failed, exit);
        Assert.Equal("registry-unusable", json.GetProperty("outcome").GetString());
        Assert.False(string.IsNullOrEmpty(json.GetProperty("last_registry_error").GetString()));
        Assert.Equal(7, json.GetProperty("snapshot_serial").GetInt64());
        Assert.Contains("last error:", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stale_snapshot_exits_one_and_is_flagged()
    {
        using var box = new EngineSandbox(["alice", "deploy"]);
        var expires = EngineSandbox.Issued.AddHours(1);
        box.WriteRegistry(Doc(7, expires));
        Assert.Equal(SyncOutcome.Ok, (await box.SyncAsync()).Outcome);

        var (exit, json, text) = Status(box, expires.AddMinutes(1));

        Assert.Equal(ExitCodes.Failed, exit);
        Assert.True(json.GetProperty("stale").GetBoolean());
        Assert.False(json.GetProperty("healthy").GetBoolean());
        Assert.Contains("STALE", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Never_run_is_not_healthy()
    {
        using var box = new EngineSandbox(["alice"]);
        var (exit, json, text) = Status(box, DateTimeOffset.UtcNow);
        Assert.Equal(ExitCodes.Failed, exit);
        Assert.Equal("never-run", json.GetProperty("outcome").GetString());
        Assert.Contains("none accepted yet", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Texts_in_the_status_file_reach_no_output_raw(bool json)
    {
        using var dir = new TempDirectory();
        var state = new KeyAgentd.State.StateStore(dir.Path);
        const string hostile = "evil\n\u001b[2J\u009b1m\u0085\u2028\u2029end";
        state.SaveStatus(new KeyAgentd.State.SyncStatus
        {
            Outcome = "partial",
            Message = hostile,
            Registry = "file:///srv/" + hostile,
            LastRegistryError = hostile,
            AccountFailures = new(StringComparer.Ordinal) { ["alice"] = new KeyAgentd.Sync.AccountFailure("alice", "io-error", hostile) },
            RejectedKeys = new(StringComparer.Ordinal) { [hostile] = 1 },
        });

        byte[] output = HostileText.Capture(writer => StatusCommand.Run(state, json, DateTimeOffset.UtcNow, writer));

        HostileText.AssertInert(output);
    }
}
