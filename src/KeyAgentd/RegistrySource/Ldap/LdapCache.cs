using System.Globalization;
using System.Text.Json;
using KeyAgentd.Core.Source;

namespace KeyAgentd.RegistrySource.Ldap;

/// <summary>
/// The directory's last answer, kept beside the built documents (DIR/.keyagentd-ldap.json) after a
/// successful build, for --keep-last-on-source-error: the documents hold people's keys but not the
/// groups they came through, so the answer itself is what a later build replays when the directory is down.
/// It holds what the documents already publish (public keys) plus DNs and group membership.
/// </summary>
internal sealed class LdapCache(string directory)
{
    public const string FileName = ".keyagentd-ldap.json";
    private const string Schema = "keyagentd.ldap-cache/v1";

    private DirectoryAnswer? _fresh;

    public string Path => System.IO.Path.Combine(directory, FileName);

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
    public (DirectoryAnswer Answer, string ReadAt)? Load() =>
        KeptAnswerFile.TryRead(Path, Schema, root => (new DirectoryAnswer(Entries(root.GetProperty("people")), Entries(root.GetProperty("groups"))),
            root.GetProperty("read_at").GetString() ?? "?"), out var kept) ? kept : null;

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
        array.EnumerateArray().Select(e => new DirectoryEntry(e.GetProperty("dn").GetString()!,
            e.GetProperty("attributes").EnumerateObject().ToDictionary(a => a.Name, a => (IReadOnlyList<string>)a.Value.EnumerateArray().Select(v => v.GetString()!).ToList(), StringComparer.Ordinal))).ToList();
}
