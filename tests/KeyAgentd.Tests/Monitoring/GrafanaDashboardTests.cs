using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using KeyAgentd.Tests.Support;

namespace KeyAgentd.Tests.Monitoring;

/// <summary>
/// packaging/monitoring/grafana/keyagentd-fleet.json: ready for Grafana's file provisioning (a fixed
/// uid, no database id, the Prometheus datasource chosen through a variable, never a hard-coded one),
/// every query valid PromQL over metrics the daemon really writes, every panel documented.
/// </summary>
public partial class GrafanaDashboardTests
{
    private static readonly string DashboardPath = Path.Combine(RepositoryRoot.Path, "packaging", "monitoring", "grafana", "keyagentd-fleet.json");

    [GeneratedRegex(@"\bkeyagentd_[a-z0-9_]+")]
    private static partial Regex MetricName();

    private static JsonObject Dashboard() => JsonNode.Parse(File.ReadAllText(DashboardPath))!.AsObject();

    private static List<JsonObject> Panels() => [.. Dashboard()["panels"]!.AsArray().Select(p => p!.AsObject())];

    private static List<(string Panel, string Expr)> Queries() =>
        [.. Panels().SelectMany(p => p["targets"]!.AsArray().Select(t => ((string)p["title"]!, (string)t!["expr"]!)))];

    [Fact]
    public void It_is_provisioning_ready_with_a_datasource_variable()
    {
        var dashboard = Dashboard();
        Assert.Equal("keyagentd-fleet", (string?)dashboard["uid"]);
        Assert.Null(dashboard["id"]);
        var variable = Assert.Single(dashboard["templating"]!["list"]!.AsArray(), v => (string?)v!["type"] == "datasource")!;
        Assert.Equal("datasource", (string?)variable["name"]);
        Assert.Equal("prometheus", (string?)variable["query"]);
        // Every datasource reference, wherever it is, names the variable: no id or uid of one Grafana's datasource.
        var references = new List<JsonNode>();
        Collect(dashboard, "datasource", references);
        Assert.NotEmpty(references);
        Assert.All(references, r => Assert.Equal("${datasource}", (string?)r["uid"]));
    }

    [Fact]
    public async Task Every_query_uses_only_metrics_the_daemon_writes()
    {
        var written = await DaemonMetricsFiles.Shared.MetricNamesAsync();
        var queries = Queries();
        Assert.NotEmpty(queries);
        foreach (var (panel, expr) in queries)
        {
            var used = MetricName().Matches(expr).Select(m => m.Value).ToList();
            Assert.True(used.Count > 0, $"{panel}: {expr} reads no keyagentd metric");
            Assert.All(used, name => Assert.True(written.Contains(name), $"{panel}: {name} is not a metric the daemon writes ({string.Join(", ", written)})"));
        }
    }

    [PromtoolFact]
    public void Every_query_is_valid_PromQL()
    {
        // promtool parses PromQL in rule files: each query becomes a recording rule ($__rate_interval is Grafana's).
        var rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
        foreach (var (i, (_, expr)) in Queries().Index())
        {
            rules.Append($"      - record: dashboard:query{i}\n        expr: '{expr.Replace("$__rate_interval", "5m", StringComparison.Ordinal).Replace("'", "''", StringComparison.Ordinal)}'\n");
        }
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("dashboard.rules.yml"), rules.ToString());
        var check = Promtool.Run("check", "rules", dir.File("dashboard.rules.yml"));
        Assert.True(check.ExitCode == 0, $"{check.Stdout}{check.Stderr}\n{rules}");
    }

    [Fact]
    public void The_panels_show_the_fleet_view_and_each_is_documented()
    {
        var panels = Panels();
        string readme = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "docs", "operating-a-host.md"));
        string monitoring = readme[readme.IndexOf("\n## Monitoring\n", StringComparison.Ordinal)..];
        foreach (var panel in panels)
        {
            string title = (string)panel["title"]!;
            Assert.False(string.IsNullOrWhiteSpace((string?)panel["description"]), $"{title}: no description");
            Assert.True(monitoring.Contains($"**{title}**", StringComparison.Ordinal), $"docs/operating-a-host.md \"## Monitoring\" does not document the panel \"{title}\"");
        }
        string all = string.Join('\n', Queries().Select(q => q.Expr));
        foreach (string needed in new[] { "keyagentd_snapshot_serial", "keyagentd_registry_problem", "keyagentd_registry_errors_total", "keyagentd_sync_duration_seconds", "keyagentd_account_keys" })
        {
            Assert.Contains(needed, all, StringComparison.Ordinal);
        }
        Assert.Equal(panels.Count, panels.Select(p => (int)p["id"]!).Distinct().Count());
    }

    private static void Collect(JsonNode? node, string key, List<JsonNode> found)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (k, v) in o)
                {
                    if (k == key && v is not null)
                    {
                        found.Add(v);
                    }
                    Collect(v, key, found);
                }
                break;
            case JsonArray a:
                foreach (var v in a)
                {
                    Collect(v, key, found);
                }
                break;
        }
    }
}
