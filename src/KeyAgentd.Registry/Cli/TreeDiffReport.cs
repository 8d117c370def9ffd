using System.Globalization;
using System.Text;
using System.Text.Json;
using KeyAgentd.Core;
using KeyAgentd.Core.Source;
using KeyAgentd.RegistrySource;

namespace KeyAgentd.Cli;

/// <summary>
/// The review of a <see cref="TreeDiff"/> as `diff` and `build --diff-against` print it: per host and
/// account, who gains and who loses access (text, or JSON for bots); exit 4 when a host's mass-removal
/// guard would refuse its document, exit 1 (and no review) when a directory or a file in it cannot be
/// read as documents: a partial diff would read as the whole change.
/// </summary>
internal static class TreeDiffReport
{
    public static int Write(string oldDir, string newDir, DocumentDiffer differ, bool json, TextWriter stdout, TextWriter stderr)
    {
        TreeDiff diff;
        try
        {
            diff = TreeDiff.Compare(oldDir, newDir, differ);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            stderr.WriteLine($"keyagentd: {SafeText.Escape(e.Message, 600)}");
            return ExitCodes.Failed;
        }
        stdout.Write(json ? Json(diff.Documents, diff.Unchanged, diff.Sources) : Text(diff.Documents, diff.Unchanged, diff.Sources));
        stdout.Flush();
        return diff.GuardTripped ? ExitCodes.MassRemovalGuard : ExitCodes.Ok;
    }

    private static string Text(IReadOnlyList<TreeDiff.Document> hosts, int unchanged, IReadOnlyDictionary<string, string> sources)
    {
        var text = new StringBuilder();
        foreach (var (name, status, diff) in hosts)
        {
            text.Append(SafeText.Escape(name, 253)).Append(" (").Append(Code(status)).Append(")\n");
            foreach (var change in diff.Changes)
            {
                text.Append("  ").Append(change.Kind switch { AccessChangeKind.Gained => "+ ", AccessChangeKind.Lost => "- ", AccessChangeKind.RestrictionChanged => "~ ", _ => "x " })
                    .Append(SafeText.Escape(change.Account, 32)).Append(": ").Append(SafeText.Escape(change.Owner, 128))
                    .Append(change.Label is { } label ? $" ({SafeText.Escape(label, 64)})" : "")
                    .Append(' ').Append(change.Fingerprint).Append(' ').Append(change.KeyType)
                    .Append(sources.TryGetValue(change.Fingerprint, out string? source) ? $" (from {SafeText.Escape(source, 512)})" : "")
                    .Append(change.Kind == AccessChangeKind.Withdrawn ? " [revoked or expired]" : "")
                    .Append(Principals(change))
                    .Append(change.Kind == AccessChangeKind.RestrictionChanged ? $": options {Options(change.OptionsBefore)} -> {Options(change.OptionsAfter)}" : "").Append('\n');
            }
            foreach (var revocation in diff.CertificateRevocations)
            {
                text.Append(revocation.Revoked ? "  x certificates revoked: " : "  + certificates no longer revoked: ")
                    .Append(SafeText.Escape(revocation.What, 4200)).Append(" under CA ").Append(revocation.CaFingerprint).Append(' ').Append(revocation.CaType).Append('\n');
            }
            if (diff.Guard.Tripped)
            {
                text.Append("  GUARD: ").Append(diff.Guard.Describe()).Append('\n');
            }
        }
        var all = hosts.SelectMany(h => h.Diff.Changes).ToList();
        text.Append(string.Create(CultureInfo.InvariantCulture,
            $"{hosts.Count(h => h.Change == DocumentChange.Changed)} changed, {hosts.Count(h => h.Change == DocumentChange.New)} new, {hosts.Count(h => h.Change == DocumentChange.Removed)} removed, {unchanged} unchanged document(s); " +
            $"{all.Count(c => c.Kind == AccessChangeKind.Gained)} access(es) gained, {all.Count(c => c.Kind == AccessChangeKind.Lost)} lost, {all.Count(c => c.Kind == AccessChangeKind.Withdrawn)} withdrawn, " +
            $"{all.Count(c => c.Kind == AccessChangeKind.RestrictionChanged)} restriction(s) changed; " +
            $"removal guard tripped on {hosts.Count(h => h.Diff.Guard.Tripped)}"));
        var revocations = hosts.SelectMany(h => h.Diff.CertificateRevocations).ToList();
        if (revocations.Count > 0)
        {
            text.Append(string.Create(CultureInfo.InvariantCulture,
                $"; certificate revocations: {revocations.Count(r => r.Revoked)} added, {revocations.Count(r => !r.Revoked)} lifted"));
        }
        text.Append('\n');
        return text.ToString();
    }

    private static string Json(IReadOnlyList<TreeDiff.Document> hosts, int unchanged, IReadOnlyDictionary<string, string> sources)
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
                writer.WriteString("status", Code(status));
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
                    if (change.PrincipalsGained.Count + change.PrincipalsLost.Count > 0)
                    {
                        WriteList(writer, "principals_gained", change.PrincipalsGained);
                        WriteList(writer, "principals_lost", change.PrincipalsLost);
                    }
                    writer.WriteEndObject();
                }
                writer.WriteEndArray();
                if (diff.CertificateRevocations.Count > 0)
                {
                    writer.WriteStartArray("certificate_revocations");
                    foreach (var revocation in diff.CertificateRevocations)
                    {
                        writer.WriteStartObject();
                        writer.WriteString("change", revocation.Revoked ? "revoked" : "lifted");
                        writer.WriteString("ca_fingerprint", revocation.CaFingerprint);
                        writer.WriteString("ca_type", revocation.CaType);
                        writer.WriteString("what", revocation.What);
                        writer.WriteEndObject();
                    }
                    writer.WriteEndArray();
                }
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    /// <summary>" principals +bob -carol": who a CA line starts or stops admitting, beside its options.</summary>
    private static string Principals(AccessChange change) =>
        change.PrincipalsGained.Count + change.PrincipalsLost.Count == 0 ? "" :
            " principals " + string.Join(' ', change.PrincipalsGained.Select(p => "+" + SafeText.Escape(p, 128)).Concat(change.PrincipalsLost.Select(p => "-" + SafeText.Escape(p, 128))));

    private static void WriteList(Utf8JsonWriter writer, string name, IReadOnlyList<string> values)
    {
        writer.WriteStartArray(name);
        foreach (string value in values)
        {
            writer.WriteStringValue(value);
        }
        writer.WriteEndArray();
    }

    /// <summary>The stable names of a document's "status" (text and JSON); never rename one.</summary>
    private static string Code(DocumentChange change) => change switch
    {
        DocumentChange.Changed => "changed",
        DocumentChange.New => "new",
        DocumentChange.Removed => "removed",
        _ => throw new ArgumentOutOfRangeException(nameof(change), change, null),
    };

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
}
