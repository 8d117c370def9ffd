using System.Text.RegularExpressions;
using KeyAgentd.Tests.Support;

namespace KeyAgentd.Tests.Monitoring;

/// <summary>
/// packaging/monitoring/keyagentd.rules.yml: promtool accepts it, its rule tests pass on series taken
/// from metrics files the daemon really wrote, every alert is seen firing and not firing, pages or
/// warns, links to its section of docs/runbooks.md, and uses only metrics the daemon writes.
/// </summary>
public partial class AlertRulesTests
{
    private static readonly string Monitoring = Path.Combine(RepositoryRoot.Path, "packaging", "monitoring");
    private static readonly string RulesPath = Path.Combine(Monitoring, "keyagentd.rules.yml");
    private static readonly string RunbooksPath = Path.Combine(RepositoryRoot.Path, "docs", "runbooks.md");

    [GeneratedRegex(@"^ *- alert: (\w+)$", RegexOptions.Multiline)]
    private static partial Regex AlertLine();

    [GeneratedRegex(@"^ *- eval_time:", RegexOptions.Multiline)]
    private static partial Regex EvalLine();

    [GeneratedRegex(@"^## (.+)$", RegexOptions.Multiline)]
    private static partial Regex Heading();

    [GeneratedRegex(@"\bkeyagentd_[a-z0-9_]+")]
    private static partial Regex MetricName();

    /// <summary>alert name → its block of the rules file.</summary>
    private static Dictionary<string, string> Alerts()
    {
        string rules = File.ReadAllText(RulesPath);
        var starts = AlertLine().Matches(rules).ToList();
        return starts.Select((m, i) => (m.Groups[1].Value, rules[m.Index..(i + 1 < starts.Count ? starts[i + 1].Index : rules.Length)]))
            .ToDictionary(a => a.Item1, a => a.Item2, StringComparer.Ordinal);
    }

    private static IEnumerable<string> TestTemplates() => Directory.EnumerateFiles(Path.Combine(Monitoring, "tests"), "*.test.yml").Order(StringComparer.Ordinal);

    [PromtoolFact]
    public void Promtool_check_rules_accepts_the_rules_file()
    {
        var check = Promtool.Run("check", "rules", RulesPath);
        Assert.True(check.ExitCode == 0, $"promtool check rules exit {check.ExitCode}:\n{check.Stdout}{check.Stderr}");
        Assert.Contains($"SUCCESS: {Alerts().Count} rules found", check.Stdout, StringComparison.Ordinal);
    }

    [PromtoolFact]
    public async Task Promtool_rule_tests_pass_on_series_from_the_daemons_metrics_files()
    {
        // Kept after the run (out/ is the build's): the captured files and the rendered tests, for
        // `promtool test rules out/monitoring-tests/tests/*.yml` by hand.
        string dir = Path.Combine(RepositoryRoot.Path, "out", "monitoring-tests");
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
        }
        Directory.CreateDirectory(Path.Combine(dir, "tests"));
        Directory.CreateDirectory(Path.Combine(dir, "metrics"));
        File.Copy(RulesPath, Path.Combine(dir, "keyagentd.rules.yml"));
        foreach (string state in DaemonMetricsFiles.StateNames)
        {
            File.WriteAllText(Path.Combine(dir, "metrics", state + ".prom"), await DaemonMetricsFiles.Shared.CaptureAsync(state));
        }
        var rendered = new List<string>();
        foreach (string template in TestTemplates())
        {
            string path = Path.Combine(dir, "tests", Path.GetFileName(template));
            string text = await PromtoolSeries.RenderAsync(File.ReadAllText(template), DaemonMetricsFiles.Shared.CaptureAsync);
            Assert.DoesNotMatch(new Regex("^ *input_series: *#", RegexOptions.Multiline), text);
            File.WriteAllText(path, text);
            rendered.Add(path);
        }
        Assert.NotEmpty(rendered);
        var test = Promtool.Run(["test", "rules", .. rendered], stdin: null);
        Assert.True(test.ExitCode == 0, $"promtool test rules exit {test.ExitCode}:\n{test.Stdout}{test.Stderr}\n--- rendered:\n{string.Join("\n", rendered.Select(File.ReadAllText))}");
    }

    [Fact]
    public void Every_alert_is_tested_both_firing_and_not_firing()
    {
        var firing = new HashSet<string>(StringComparer.Ordinal);
        var quiet = new HashSet<string>(StringComparer.Ordinal);
        foreach (string template in TestTemplates())
        {
            string text = File.ReadAllText(template);
            var evals = EvalLine().Matches(text).ToList();
            for (int i = 0; i < evals.Count; i++)
            {
                string block = text[evals[i].Index..(i + 1 < evals.Count ? evals[i + 1].Index : text.Length)];
                string name = Regex.Match(block, @"alertname: (\w+)").Groups[1].Value;
                (block.Contains("exp_alerts: []", StringComparison.Ordinal) ? quiet : firing).Add(name);
            }
            Assert.All(Regex.Matches(text, @"^ *input_series:.*$", RegexOptions.Multiline), m => Assert.Contains("# captured:", m.Value, StringComparison.Ordinal));
        }
        foreach (string alert in Alerts().Keys)
        {
            Assert.True(firing.Contains(alert), $"{alert} is never tested firing");
            Assert.True(quiet.Contains(alert), $"{alert} is never tested not firing");
        }
    }

    [Fact]
    public void Every_alert_pages_or_warns_and_links_its_runbook_section()
    {
        var sections = Heading().Matches(File.ReadAllText(RunbooksPath)).Select(h => Slug(h.Groups[1].Value)).ToHashSet(StringComparer.Ordinal);
        foreach (var (alert, block) in Alerts())
        {
            Assert.Matches(@"\n *severity: (page|warn)\n", block);
            var runbook = Regex.Match(block, @"runbook_url: \S+/docs/runbooks\.md#(\S+)\n");
            Assert.True(runbook.Success, $"{alert}: no runbook_url into docs/runbooks.md");
            Assert.Equal(Slug(alert), runbook.Groups[1].Value);
            Assert.True(sections.Contains(runbook.Groups[1].Value), $"{alert}: docs/runbooks.md has no section #{runbook.Groups[1].Value}");
        }
    }

    [Fact]
    public async Task The_rules_use_only_metrics_the_daemon_writes()
    {
        var written = await DaemonMetricsFiles.Shared.MetricNamesAsync();
        var used = MetricName().Matches(File.ReadAllText(RulesPath)).Select(m => m.Value).ToHashSet(StringComparer.Ordinal);
        Assert.NotEmpty(used);
        Assert.All(used, name => Assert.Contains(name, written));
    }

    [Fact]
    public void The_package_installs_the_rules_and_the_dashboard()
    {
        string build = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "packaging", "build-deb.sh"));
        Assert.Contains("usr/share/keyagentd/monitoring/keyagentd.rules.yml", build, StringComparison.Ordinal);
        Assert.Contains("usr/share/keyagentd/monitoring/grafana/keyagentd-fleet.json", build, StringComparison.Ordinal);
        Assert.Contains("usr/share/doc/keyagentd/runbooks.md", build, StringComparison.Ordinal);
    }

    /// <summary>A heading's anchor as Markdown renderers make it: lower case, spaces to dashes, punctuation dropped.</summary>
    public static string Slug(string heading) =>
        Regex.Replace(heading.Trim().ToLowerInvariant().Replace(' ', '-'), "[^a-z0-9_-]", "");
}
