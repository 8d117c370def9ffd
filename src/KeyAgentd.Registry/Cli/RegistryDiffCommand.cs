using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using KeyAgentd.Core;
using KeyAgentd.Core.Planning;
using KeyAgentd.Core.Policy;
using KeyAgentd.Core.Source;
using KeyAgentd.RegistrySource;

namespace KeyAgentd.Cli;

/// <summary>
/// `keyagentd-registry diff OLD_DIR NEW_DIR`: per host and account, who gains and who loses access,
/// judged as the hosts will judge it; exit 4 when a host's mass-removal guard would refuse its document,
/// exit 1 (and no diff) when a directory or a file in it cannot be read as documents (<see cref="DocumentFile"/>, <see cref="DocumentDiffer"/>).
/// </summary>
internal static class RegistryDiffCommand
{
    public static Command Create()
    {
        var oldDir = new Argument<string>("OLD_DIR") { Description = "the published documents" };
        var newDir = new Argument<string>("NEW_DIR") { Description = "the documents about to be published" };
        var maxRemoval = new Option<double?>("--max-removal-percent") { Description = "mass-removal guard (default Safety:MaxRemovalPercent)" };
        var format = new Option<string>("--format") { Description = "text or json", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json");
        var command = new Command("diff", "who gains and loses which account on which host") { oldDir, newDir, maxRemoval, format };
        command.SetAction(parse => RegistryOptions.WithSettings(parse, settings =>
        {
            var limits = settings.Safety.ToRemovalLimits();
            if (parse.GetValue(maxRemoval) is { } percent)
            {
                limits = limits with { MaxPercent = percent };
            }
            return Run(parse.GetValue(oldDir)!, parse.GetValue(newDir)!, new KeyPolicy(settings.Policy.ToPolicyOptions(), TimeZoneInfo.Local), DateTimeOffset.UtcNow,
                limits, parse.GetValue(format) == "json", Console.Out);
        }));
        return command;
    }

    /// <summary>Both directories must exist: a mistyped one is an error (exit 1), never an empty registry that makes every key look gained or lost.</summary>
    public static int Run(string oldDir, string newDir, KeyPolicy policy, DateTimeOffset now, RemovalLimits limits, bool json, TextWriter stdout, TextWriter? stderr = null)
    {
        var differ = new DocumentDiffer(policy, now, limits);
        var hosts = new List<(string Name, string Status, SnapshotDiff Diff)>();
        var sources = new Dictionary<string, string>(StringComparer.Ordinal);
        int unchanged = 0;
        try
        {
            var names = Names(oldDir).Union(Names(newDir)).Order(StringComparer.Ordinal).ToList();
            foreach (string name in names)
            {
                string beforePath = Path.Combine(oldDir, name + PreviousOutput.Extension);
                string afterPath = Path.Combine(newDir, name + PreviousOutput.Extension);
                byte[]? before = DocumentFile.TryRead(beforePath, DocumentFile.MaxDocumentBytes);
                byte[]? after = DocumentFile.TryRead(afterPath, DocumentFile.MaxDocumentBytes);
                if (before is not null && after is not null && before.AsSpan().SequenceEqual(after))
                {
                    unchanged++;
                    continue;
                }
                var diff = differ.Compare(before, after, beforePath, afterPath);
                KeySources.Collect(after, sources);
                KeySources.Collect(before, sources);
                string status = before is null ? "new" : after is null ? "removed" : "changed";
                hosts.Add((name, status, diff));
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            // Nothing is printed but the error: a partial diff would read as the whole change.
            (stderr ?? Console.Error).WriteLine($"keyagentd: {SafeText.Escape(e.Message, 600)}");
            return ExitCodes.Failed;
        }
        stdout.Write(json ? Json(hosts, unchanged, sources) : Text(hosts, unchanged, sources));
        stdout.Flush();
        return hosts.Any(h => h.Diff.Guard.Tripped) ? ExitCodes.MassRemovalGuard : ExitCodes.Ok;
    }

    private static string Text(List<(string Name, string Status, SnapshotDiff Diff)> hosts, int unchanged, Dictionary<string, string> sources)
    {
        var text = new StringBuilder();
        foreach (var (name, status, diff) in hosts)
        {
            text.Append(SafeText.Escape(name, 253)).Append(" (").Append(status).Append(")\n");
            foreach (var change in diff.Changes)
            {
                text.Append("  ").Append(change.Kind switch { AccessChangeKind.Gained => "+ ", AccessChangeKind.Lost => "- ", AccessChangeKind.RestrictionChanged => "~ ", _ => "x " })
                    .Append(SafeText.Escape(change.Account, 32)).Append(": ").Append(SafeText.Escape(change.Owner, 128))
                    .Append(change.Label is { } label ? $" ({SafeText.Escape(label, 64)})" : "")
                    .Append(' ').Append(change.Fingerprint).Append(' ').Append(change.KeyType)
                    .Append(sources.TryGetValue(change.Fingerprint, out string? source) ? $" (from {SafeText.Escape(source, 512)})" : "")
                    .Append(change.Kind == AccessChangeKind.Withdrawn ? " [revoked or expired]" : "")
                    .Append(change.Kind == AccessChangeKind.RestrictionChanged ? $": options {Options(change.OptionsBefore)} -> {Options(change.OptionsAfter)}" : "").Append('\n');
            }
            if (diff.Guard.Tripped)
            {
                text.Append("  GUARD: ").Append(diff.Guard.Describe()).Append('\n');
            }
        }
        var all = hosts.SelectMany(h => h.Diff.Changes).ToList();
        text.Append(string.Create(CultureInfo.InvariantCulture,
            $"{hosts.Count(h => h.Status == "changed")} changed, {hosts.Count(h => h.Status == "new")} new, {hosts.Count(h => h.Status == "removed")} removed, {unchanged} unchanged document(s); " +
            $"{all.Count(c => c.Kind == AccessChangeKind.Gained)} access(es) gained, {all.Count(c => c.Kind == AccessChangeKind.Lost)} lost, {all.Count(c => c.Kind == AccessChangeKind.Withdrawn)} withdrawn, " +
            $"{all.Count(c => c.Kind == AccessChangeKind.RestrictionChanged)} restriction(s) changed; " +
            $"removal guard tripped on {hosts.Count(h => h.Diff.Guard.Tripped)}\n"));
        return text.ToString();
    }

    private static string Json(List<(string Name, string Status, SnapshotDiff Diff)> hosts, int unchanged, Dictionary<string, string> sources)
    {
        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteNumber("unchanged", unchanged);
            writer.WriteNumber("restrictions_changed", hosts.Sum(h => h.Diff.Changes.Count(c => c.Kind == AccessChangeKind.RestrictionChanged)));
            writer.WriteStartArray("documents");
            foreach (var (name, status, diff) in hosts)
            {
                writer.WriteStartObject();
                writer.WriteString("document", name);
                writer.WriteString("status", status);
                writer.WriteBoolean("guard_tripped", diff.Guard.Tripped);
                writer.WriteNumber("removed_keys", diff.Guard.Removed);
                writer.WriteNumber("managed_keys", diff.Guard.Total);
                writer.WriteStartArray("changes");
                foreach (var change in diff.Changes)
                {
                    writer.WriteStartObject();
                    writer.WriteString("account", change.Account);
                    writer.WriteString("change", Code(change.Kind));
                    writer.WriteString("owner", change.Owner);
                    writer.WriteString("label", change.Label);
                    writer.WriteString("fingerprint", change.Fingerprint);
                    writer.WriteString("type", change.KeyType);
                    if (change.Kind == AccessChangeKind.RestrictionChanged)
                    {
                        writer.WriteString("options_before", change.OptionsBefore);
                        writer.WriteString("options_after", change.OptionsAfter);
                    }
                    if (sources.TryGetValue(change.Fingerprint, out string? source))
                    {
                        writer.WriteString("source", source);
                    }
                    writer.WriteEndObject();
                }
                writer.WriteEndArray();
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    /// <summary>The stable names of the JSON "change" field; never rename one.</summary>
    private static string Code(AccessChangeKind kind) => kind switch
    {
        AccessChangeKind.Gained => "gained",
        AccessChangeKind.Lost => "lost",
        AccessChangeKind.Withdrawn => "withdrawn",
        AccessChangeKind.RestrictionChanged => "restriction-changed",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    private static string Options(string? options) => string.IsNullOrEmpty(options) ? "(none)" : SafeText.Escape(options, 512);

    private static List<string> Names(string directory)
    {
        PreviousOutput.RequireDirectory(directory);
        return PreviousOutput.Names(directory).ToList();
    }
}
