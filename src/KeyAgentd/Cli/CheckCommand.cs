using System.CommandLine;
using System.Text;
using System.Text.Json;
using KeyAgentd.Core.AuthorizedKeys;
using KeyAgentd.Core.Policy;

namespace KeyAgentd.Cli;

/// <summary>
/// `keyagentd check [--format text|json] FILE|-`: lints an authorized_keys-style file against the
/// configured policy, one verdict per key line, exit 1 if any is rejected.
/// </summary>
internal static class CheckCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("FILE") { Description = "authorized_keys-style file, or - for standard input" };
        var format = new Option<string>("--format") { Description = "text or json", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json");
        var command = new Command("check", "judge every key line of a file against the policy") { file, format };
        command.SetAction(parse => CommonOptions.WithSettings(parse, settings =>
            Run(parse.GetValue(file)!, parse.GetValue(format) == "json", new KeyPolicy(settings.Policy.ToPolicyOptions()), DateTimeOffset.UtcNow, Console.Out, Console.Error)));
        return command;
    }

    public static int Run(string path, bool json, KeyPolicy policy, DateTimeOffset now, TextWriter stdout, TextWriter stderr)
    {
        if (!InputFile.TryReadAll(path, stderr, out string? text))
        {
            return ExitCodes.Usage;
        }
        var results = AuthorizedKeysFile.Read(text)
            .Where(l => l.Kind is AuthorizedKeyLineKind.Key or AuthorizedKeyLineKind.Invalid)
            .Select(l => (Line: l, Verdict: policy.Evaluate(l, now)))
            .ToList();
        int rejected = results.Count(r => !r.Verdict.Accepted);
        stdout.Write(json ? RenderJson(path, results, rejected) : RenderText(results, rejected));
        stdout.Flush();
        return rejected == 0 ? ExitCodes.Ok : ExitCodes.Failed;
    }

    private static string RenderText(List<(AuthorizedKeyLine Line, Verdict Verdict)> results, int rejected)
    {
        var text = new StringBuilder();
        foreach (var (line, verdict) in results)
        {
            text.Append(line.LineNumber).Append(": ").Append(verdict.Accepted ? "ok     " : "REJECT ").Append(verdict.Code);
            if (line.Key is { } key)
            {
                text.Append("  ").Append(key.Type.DisplayName).Append(' ').Append(key.Bits).Append(' ').Append(key.Sha256Fingerprint);
            }
            else if (line.KeyType is not null)
            {
                text.Append("  ").Append(Safe(line.KeyType));
            }
            if (!string.IsNullOrEmpty(line.Comment))
            {
                text.Append(" \"").Append(Safe(line.Comment)).Append('"');
            }
            if (line.Options.Count > 0)
            {
                text.Append(" options: ").Append(Safe(line.Options.Render()));
            }
            if (!verdict.Accepted)
            {
                text.Append("\n   ").Append(verdict.Message);
            }
            if (line.Suggestion is not null)
            {
                text.Append("\n   fix: ").Append(line.Suggestion);
            }
            text.Append('\n');
        }
        text.Append(results.Count - rejected).Append(" accepted, ").Append(rejected).Append(" rejected\n");
        return text.ToString();
    }

    private static string RenderJson(string path, List<(AuthorizedKeyLine Line, Verdict Verdict)> results, int rejected)
    {
        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("file", path);
            writer.WriteNumber("accepted", results.Count - rejected);
            writer.WriteNumber("rejected", rejected);
            writer.WriteStartArray("verdicts");
            foreach (var (line, verdict) in results)
            {
                writer.WriteStartObject();
                writer.WriteNumber("line", line.LineNumber);
                writer.WriteBoolean("accepted", verdict.Accepted);
                writer.WriteString("reason", verdict.Code);
                writer.WriteString("message", verdict.Message);
                writer.WriteString("type", line.Key?.TypeName ?? line.KeyType);
                if (line.Key is { } key)
                {
                    writer.WriteNumber("bits", key.Bits);
                    writer.WriteString("fingerprint", key.Sha256Fingerprint);
                }
                writer.WriteString("comment", line.Comment);
                writer.WriteString("options", line.Options.Count > 0 ? line.Options.Render() : null);
                if (line.Suggestion is not null)
                {
                    writer.WriteString("suggestion", line.Suggestion);
                }
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    /// <summary>Text from a hostile file must not drive the operator's terminal.</summary>
    private static string Safe(string text) =>
        text.Any(c => c < ' ' || c == '\x7f') ? string.Concat(text.Select(c => c < ' ' || c == '\x7f' ? $"\\x{(int)c:x2}" : c.ToString())) : text;
}
