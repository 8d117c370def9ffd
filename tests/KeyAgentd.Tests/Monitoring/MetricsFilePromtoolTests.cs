using KeyAgentd.Tests.Support;

namespace KeyAgentd.Tests.Monitoring;

/// <summary>
/// Every metrics file the daemon writes, in every state an alert is about, passes `promtool check
/// metrics` (names, unit suffixes, HELP and TYPE, label conventions), and carries the signal its alert needs.
/// </summary>
public class MetricsFilePromtoolTests
{
    private static DaemonMetricsFiles Files => DaemonMetricsFiles.Shared;

    public static TheoryData<string> States => [.. DaemonMetricsFiles.StateNames];

    [PromtoolTheory]
    [MemberData(nameof(States))]
    public async Task The_metrics_file_passes_promtool_check_metrics(string state)
    {
        string file = await Files.CaptureAsync(state);
        var check = Promtool.Run(["check", "metrics"], file);
        Assert.True(check.ExitCode == 0 && check.Stdout.Length == 0 && check.Stderr.Length == 0,
            $"promtool check metrics ({state}) exit {check.ExitCode}:\n{check.Stdout}{check.Stderr}\n--- file:\n{file}");
    }

    [Theory]
    [InlineData("ok", "keyagentd_signatures_enforced 1\n")]
    [InlineData("ok", "keyagentd_accounts_cache_unwritten 0\n")]
    [InlineData("signatures-off", "keyagentd_signatures_enforced 0\n")]
    [InlineData("signatures-off", "keyagentd_registry_unauthenticated 1\n")]
    [InlineData("signatures-report", "keyagentd_signatures_enforced 0\n")]
    [InlineData("signatures-report", "keyagentd_registry_unauthenticated 0\n")]
    [InlineData("unreachable", "keyagentd_registry_problem{kind=\"unreachable\"} 1\n")]
    [InlineData("stale", "keyagentd_snapshot_stale 1\n")]
    [InlineData("signature-invalid", "keyagentd_registry_problem{kind=\"signature-invalid\"} 1\n")]
    [InlineData("signer-unknown", "keyagentd_registry_problem{kind=\"signer-unknown\"} 1\n")]
    [InlineData("rollback", "keyagentd_registry_problem{kind=\"rollback\"} 1\n")]
    [InlineData("equivocation", "keyagentd_registry_problem{kind=\"equivocation\"} 1\n")]
    [InlineData("audience-mismatch", "keyagentd_registry_problem{kind=\"audience-mismatch\"} 1\n")]
    [InlineData("trust-roots-unusable", "keyagentd_registry_problem{kind=\"trust-roots-unusable\"} 1\n")]
    [InlineData("guard-tripped", "keyagentd_last_sync_outcome{outcome=\"guard-tripped\"} 1\n")]
    [InlineData("account-refused", "keyagentd_accounts_refused 1\n")]
    [InlineData("cache-unwritten", "keyagentd_accounts_cache_unwritten 1\n")]
    [InlineData("cache-unwritten", "keyagentd_last_sync_outcome{outcome=\"partial\"} 1\n")]
    public async Task The_metrics_file_says_what_state_the_host_is_in(string state, string line)
    {
        string file = await Files.CaptureAsync(state);
        Assert.True(file.Contains(line, StringComparison.Ordinal), $"{state}: no \"{line.TrimEnd()}\" in:\n{file}");
    }

    [Fact]
    public async Task A_host_that_could_use_the_registry_has_no_registry_problem_sample()
    {
        foreach (string state in new[] { "ok", "guard-tripped", "account-refused", "signatures-off", "cache-unwritten" })
        {
            string file = await Files.CaptureAsync(state);
            Assert.True(file.Contains("# TYPE keyagentd_registry_problem gauge\n", StringComparison.Ordinal), $"{state}: {file}");
            Assert.False(file.Contains("keyagentd_registry_problem{", StringComparison.Ordinal), $"{state}: {file}");
        }
    }
}
