using System.CommandLine;
using System.Text;
using System.Text.Json;
using KeyAgentd.Core;
using KeyAgentd.Core.AuthorizedKeys;
using KeyAgentd.Core.Keys;
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
            Run(parse.GetValue(file)!, parse.GetValue(format) == "json", new KeyPolicy(settings.Policy.ToPolicyOptions(), TimeZoneInfo.Local), DateTimeOffset.UtcNow, Console.Out, Console.Error)));
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
        stdout.Write(json ? RenderJson(path, results, rejected, policy.LocalZone) : RenderText(results, rejected, policy.LocalZone));
        stdout.Flush();
        return rejected == 0 ? ExitCodes.Ok : ExitCodes.Failed;
    }

    /// <remarks>
    /// Every text taken from the file (type token, comment, options, messages quoting it, the fix
    /// line) goes through <see cref="SafeText.Escape"/>: a user's comment must not drive root's
    /// terminal. JSON strings are escaped by <see cref="SafeJsonEncoder"/>, which escapes the same characters.
    /// A certificate is described below its verdict as ssh-keygen -L describes it (<see cref="SshCertificateText"/>).
    /// </remarks>
    private static string RenderText(List<(AuthorizedKeyLine Line, Verdict Verdict)> results, int rejected, TimeZoneInfo zone)
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
                text.Append("  ").Append(SafeText.Escape(line.KeyType));
            }
            if (!string.IsNullOrEmpty(line.Comment))
            {
                text.Append(" \"").Append(SafeText.Escape(line.Comment)).Append('"');
            }
            if (line.Options.Count > 0)
            {
                text.Append(" options: ").Append(SafeText.Escape(line.Options.Render()));
            }
            if (!verdict.Accepted)
            {
                text.Append("\n   ").Append(SafeText.Escape(verdict.Message));
            }
            if (line.Suggestion is not null)
            {
                text.Append("\n   fix: ").Append(SafeText.Escape(line.Suggestion));
            }
            if (line.Key is { Certificate: not null } certificate)
            {
                foreach (string description in SshCertificateText.Describe(certificate, zone))
                {
                    text.Append('\n').Append(description);
                }
            }
            text.Append('\n');
        }
        text.Append(results.Count - rejected).Append(" accepted, ").Append(rejected).Append(" rejected\n");
        return text.ToString();
    }

    private static string RenderJson(string path, List<(AuthorizedKeyLine Line, Verdict Verdict)> results, int rejected, TimeZoneInfo zone)
    {
        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = SafeJsonEncoder.Instance }))
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
                    if (key.Certificate is not null)
                    {
                        CertificateJson.Write(writer, key, zone);
                    }
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
}
