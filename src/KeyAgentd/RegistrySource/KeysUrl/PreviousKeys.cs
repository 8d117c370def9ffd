using System.Globalization;
using System.Text.Json;
using KeyAgentd.Core.AuthorizedKeys;
using KeyAgentd.Core.Source;

namespace KeyAgentd.RegistrySource.KeysUrl;

/// <summary>
/// A person's keys as the previous build published them (people.&lt;name&gt;.keys in DIR/*.json), for
/// --keep-last-on-source-error: an outage of the code host must never empty a fleet. The documents are
/// read lazily, once, and only when a source actually failed.
/// </summary>
internal sealed class PreviousKeys(string directory)
{
    private Dictionary<string, (string Document, List<SourceKey> Keys)>? _people;

    public bool TryGet(string person, out string document, out IReadOnlyList<SourceKey> keys)
    {
        _people ??= Load();
        if (_people.TryGetValue(person, out var found))
        {
            (document, keys) = (found.Document, found.Keys);
            return true;
        }
        (document, keys) = ("", []);
        return false;
    }

    private Dictionary<string, (string, List<SourceKey>)> Load()
    {
        var people = new Dictionary<string, (string, List<SourceKey>)>(StringComparer.Ordinal);
        if (!Directory.Exists(directory))
        {
            return people;
        }
        foreach (string path in Directory.EnumerateFiles(directory, "*" + PreviousOutput.Extension).Order(StringComparer.Ordinal))
        {
            if (Path.GetFileName(path).StartsWith('.'))
            {
                continue;
            }
            try
            {
                using var json = JsonDocument.Parse(File.ReadAllBytes(path));
                if (!json.RootElement.TryGetProperty("people", out var section) || section.ValueKind != JsonValueKind.Object)
                {
                    continue;
                }
                foreach (var person in section.EnumerateObject())
                {
                    if (!people.ContainsKey(person.Name) && person.Value.TryGetProperty("keys", out var keys) && keys.ValueKind == JsonValueKind.Array)
                    {
                        people[person.Name] = (path, keys.EnumerateArray().Select(k => Key(k, path)).OfType<SourceKey>().ToList());
                    }
                }
            }
            catch (JsonException)
            {
                // Not a document this builder wrote; the previous output is a best-effort fallback.
            }
        }
        return people;
    }

    private static SourceKey? Key(JsonElement entry, string path)
    {
        if (entry.ValueKind != JsonValueKind.Object || !entry.TryGetProperty("key", out var keyValue) || keyValue.GetString() is not { } line)
        {
            return null;
        }
        string? label = entry.TryGetProperty("label", out var l) ? l.GetString() : null;
        DateTimeOffset? notAfter = entry.TryGetProperty("not_after", out var n) && DateTimeOffset.TryParse(n.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date) ? date : null;
        string? source = entry.TryGetProperty("source", out var s) ? s.GetString() : null;
        // Through the same parser as a fresh fetch; the compiler then applies today's policy to it.
        return new SourceKey(line, label, notAfter, AuthorizedKeyLineParser.Parse(line).Key, new SourceLocation(path, 0)) { Source = source };
    }
}
