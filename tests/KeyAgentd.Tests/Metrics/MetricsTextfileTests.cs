using System.Text.RegularExpressions;
using KeyAgentd.Metrics;
using KeyAgentd.State;

namespace KeyAgentd.Tests.Metrics;

public partial class MetricsTextfileTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);

    private static SyncStatus Status() => new()
    {
        LastAttempt = Now,
        LastSuccess = Now,
        Outcome = "ok",
        SnapshotSerial = 7,
        SnapshotIssuedAt = Now.AddMinutes(-10),
        SnapshotExpiresAt = Now.AddDays(1),
        AccountKeys = new(StringComparer.Ordinal) { ["alice"] = 2, ["weird\"na\\me"] = 1 },
        RegistryErrors = new(StringComparer.Ordinal) { ["http-5xx"] = 3 },
    };

    [GeneratedRegex("""^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\["\\n])*",?)*\})? [-+0-9.eE]+(NaN|Inf)?$""")]
    private static partial Regex SampleLine();

    [Fact]
    public void Every_line_is_valid_exposition_format_and_every_metric_has_help_and_type()
    {
        string text = MetricsTextfile.Render(Status(), Now);
        var typed = new HashSet<string>(StringComparer.Ordinal);
        var helped = new HashSet<string>(StringComparer.Ordinal);
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        foreach (string line in text.TrimEnd('\n').Split('\n'))
        {
            if (line.StartsWith("# HELP ", StringComparison.Ordinal))
            {
                helped.Add(line.Split(' ')[2]);
            }
            else if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                string[] parts = line.Split(' ');
                Assert.Contains(parts[3], new[] { "gauge", "counter" });
                Assert.True(typed.Add(parts[2]), $"TYPE twice for {parts[2]}");
            }
            else
            {
                Assert.Matches(SampleLine(), line);
                string name = line.Split('{', ' ')[0];
                Assert.Contains(name, typed);
                Assert.Contains(name, helped);
            }
        }
        foreach (string name in new[]
        {
            "keyagentd_last_success_timestamp_seconds", "keyagentd_last_attempt_timestamp_seconds", "keyagentd_sync_duration_seconds",
            "keyagentd_snapshot_serial", "keyagentd_snapshot_age_seconds", "keyagentd_snapshot_stale", "keyagentd_accounts_refused",
            "keyagentd_accounts_missing", "keyagentd_last_sync_outcome", "keyagentd_account_keys", "keyagentd_rejected_keys", "keyagentd_registry_errors_total",
        })
        {
            Assert.Contains(name, typed);
        }
        Assert.Contains("keyagentd_snapshot_age_seconds 600\n", text, StringComparison.Ordinal);
        Assert.Contains("keyagentd_snapshot_stale 0\n", text, StringComparison.Ordinal);
        Assert.Contains("keyagentd_registry_errors_total{kind=\"http-5xx\"} 3\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Label_values_are_escaped()
    {
        string text = MetricsTextfile.Render(Status(), Now);
        Assert.Contains("keyagentd_account_keys{account=\"weird\\\"na\\\\me\"} 1\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Stale_is_one_past_expires_at()
    {
        Assert.Contains("keyagentd_snapshot_stale 1\n", MetricsTextfile.Render(Status(), Now.AddDays(2)), StringComparison.Ordinal);
    }

    [Fact]
    public void Writer_replaces_the_file_atomically()
    {
        using var dir = new TempDirectory();
        string path = dir.File("keyagentd.prom");
        File.WriteAllText(path, "old");
        MetricsWriter.Write(path, Status(), Now);
        Assert.Equal(MetricsTextfile.Render(Status(), Now), File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(dir.Path));
    }
}
