using System.Globalization;
using System.Text.Json;
using KeyAgentd.Core.Source;

namespace KeyAgentd.RegistrySource.Ldap;

/// <summary>
/// The directory's last answer, kept in the registry-side state directory (STATE/.keyagentd-ldap.json)
/// after a successful build, for --keep-last-on-source-error: the documents hold people's keys but not the
/// groups they came through, so the answer itself is what a later build replays when the directory is down.
/// It holds what the documents already publish (public keys) plus DNs and group membership. Replayed, it
/// goes through the same mapping and policy as a fresh answer; a damaged one is a warning and is not used.
/// </summary>
internal sealed class LdapCache(string directory)
{
    public const string FileName = ".keyagentd-ldap.json";
    private const string Schema = "keyagentd.ldap-cache/v1";

    private DirectoryAnswer? _fresh;

    public string Path => System.IO.Path.Combine(directory, FileName);

    /// <summary>Why a kept answer that exists was not used, for the build's stderr.</summary>
    public List<string> Warnings { get; } = [];

    /// <summary>The answer this build read from the directory; written by <see cref="Save"/> once the build succeeds.</summary>
    public void Remember(DirectoryAnswer answer) => _fresh = answer;

    public void Save(DateTimeOffset now)
    {
        if (_fresh is not { } answer)
        {
            return;
        }
        KeptAnswerFile.Write(Path, Schema, writer =>
        {
            writer.WriteString("read_at", now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
            Entries(writer, "people", answer.People);
            Entries(writer, "groups", answer.Groups);
        });
    }

    /// <summary>The answer a previous build saved, with when it was read; null when there is none (or it is not ours).</summary>
    public (DirectoryAnswer Answer, string ReadAt)? Load()
    {
        if (KeptAnswerFile.TryRead(Path, Schema, root => (new DirectoryAnswer(Entries(root.GetProperty("people")), Entries(root.GetProperty("groups"))),
            ReadAt(root.GetProperty("read_at"))), out var kept, out string? damage))
        {
            return kept;
        }
        if (damage is not null)
        {
            Warnings.Add($"{Path} {damage}; not used");
        }
        return null;
    }

    private static string ReadAt(JsonElement value) =>
        DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)
            : throw new FormatException("read_at is not a time");

    private static void Entries(Utf8JsonWriter writer, string name, IReadOnlyList<DirectoryEntry> entries)
    {
        writer.WriteStartArray(name);
        foreach (var entry in entries)
        {
            writer.WriteStartObject();
            writer.WriteString("dn", entry.Dn);
            writer.WriteStartObject("attributes");
            foreach (var (attribute, values) in entry.Attributes.OrderBy(a => a.Key, StringComparer.Ordinal))
            {
                writer.WriteStartArray(attribute);
                foreach (string value in values)
                {
                    writer.WriteStringValue(value);
                }
                writer.WriteEndArray();
            }
            writer.WriteEndObject();
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
    }

    private static List<DirectoryEntry> Entries(JsonElement array) =>
        array.EnumerateArray().Select(e => new DirectoryEntry(Text(e.GetProperty("dn")),
            e.GetProperty("attributes").EnumerateObject().ToDictionary(a => a.Name, a => (IReadOnlyList<string>)a.Value.EnumerateArray().Select(Text).ToList(), StringComparer.Ordinal))).ToList();

    /// <summary>GetString() also answers null for a JSON null: a kept answer holds strings only.</summary>
    private static string Text(JsonElement value) =>
        value.ValueKind == JsonValueKind.String ? value.GetString()! : throw new FormatException("a kept LDAP value is not a string");
}
