using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace KeyAgentd.Tests.Monitoring;

/// <summary>
/// Turns captured metrics files into promtool's input_series. A host is a sequence of phases, each a
/// captured file held for some minutes (node_exporter re-reads the same file until the next cycle
/// rewrites it): "web-1=ok:30,unreachable:60". Every sample gets instance="web-1" and job="node", as a
/// scrape through the textfile collector would. A *_timestamp_seconds value is moved to promtool's
/// clock, which starts at 0: the file's own last attempt is the moment the phase starts.
/// </summary>
public static partial class PromtoolSeries
{
    /// <summary>A rule-test template line whose input series are captured files: `input_series: # captured: host=state:minutes,… …`.</summary>
    [GeneratedRegex(@"^(?<indent> *)input_series: *# *captured: *(?<hosts>.+)$", RegexOptions.Multiline)]
    private static partial Regex CapturedLine();

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})? (?<value>\S+)$""")]
    private static partial Regex Sample();

    [GeneratedRegex(@"^(?<prefix>.*?)(?<from>\d+)\.\.(?<to>\d+)$")]
    private static partial Regex HostRange();

    /// <summary>The template with each captured line replaced by the series it names.</summary>
    public static async Task<string> RenderAsync(string template, Func<string, Task<string>> capture)
    {
        var rendered = new StringBuilder();
        int at = 0;
        foreach (Match line in CapturedLine().Matches(template))
        {
            rendered.Append(template, at, line.Index - at);
            string indent = line.Groups["indent"].Value;
            rendered.Append(indent).Append("input_series:\n");
            foreach (string host in line.Groups["hosts"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                rendered.Append(await HostSeriesAsync(host, indent + "  ", capture));
            }
            at = line.Index + line.Length + 1;
        }
        return rendered.Append(template, Math.Min(at, template.Length), Math.Max(0, template.Length - at)).ToString();
    }

    private static async Task<string> HostSeriesAsync(string spec, string indent, Func<string, Task<string>> capture)
    {
        string[] parts = spec.Split('=', 2);
        var phases = new List<(Dictionary<string, double> Samples, int Minutes)>();
        foreach (string phase in parts[1].Split(','))
        {
            string[] p = phase.Split(':');
            phases.Add((Samples(await capture(p[0])), int.Parse(p[1], CultureInfo.InvariantCulture)));
        }
        var text = new StringBuilder();
        foreach (string host in Hosts(parts[0]))
        {
            var series = phases.SelectMany(p => p.Samples.Keys).Distinct().Order(StringComparer.Ordinal);
            foreach (string key in series)
            {
                string values = string.Join(' ', phases.Select(p => p.Samples.TryGetValue(key, out double v)
                    ? $"{v.ToString("R", CultureInfo.InvariantCulture)}+0x{p.Minutes - 1}"
                    : $"_x{p.Minutes}"));
                string labelled = key.EndsWith('}')
                    ? $"{key[..^1]},instance=\"{host}\",job=\"node\"}}"
                    : $"{key}{{instance=\"{host}\",job=\"node\"}}";
                text.Append(indent).Append("- series: '").Append(labelled.Replace("'", "''", StringComparison.Ordinal)).Append("'\n")
                    .Append(indent).Append("  values: '").Append(values).Append("'\n");
            }
        }
        return text.ToString();
    }

    private static IEnumerable<string> Hosts(string spec)
    {
        var range = HostRange().Match(spec);
        if (!range.Success)
        {
            return [spec];
        }
        int from = int.Parse(range.Groups["from"].Value, CultureInfo.InvariantCulture);
        int to = int.Parse(range.Groups["to"].Value, CultureInfo.InvariantCulture);
        return Enumerable.Range(from, to - from + 1).Select(i => range.Groups["prefix"].Value + i.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>series (name and labels as written) → value, timestamps on promtool's clock.</summary>
    public static Dictionary<string, double> Samples(string metricsFile)
    {
        var samples = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (string line in metricsFile.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }
            var sample = Sample().Match(line);
            Assert.True(sample.Success, $"not a sample line: {line}");
            string key = sample.Groups["labels"].Success ? $"{sample.Groups["name"].Value}{{{sample.Groups["labels"].Value}}}" : sample.Groups["name"].Value;
            samples[key] = double.Parse(sample.Groups["value"].Value, CultureInfo.InvariantCulture);
        }
        Assert.True(samples.TryGetValue("keyagentd_last_attempt_timestamp_seconds", out double attempt), "the file has no last attempt");
        foreach (string key in samples.Keys.Where(k => k.Split('{')[0].EndsWith("_timestamp_seconds", StringComparison.Ordinal)).ToList())
        {
            samples[key] -= attempt;
        }
        return samples;
    }
}
