using System.Text.Json;
using KeyAgentd.Core.AuthorizedKeys;

namespace KeyAgentd.RegistrySource;

/// <summary>
/// The audit-only "source" of each key in a built document (a <c>.keys</c> URL), by SHA-256 fingerprint,
/// so `registry diff` can say where a lost key came from. Hosts never read it; neither does the expander.
/// </summary>
internal static class KeySources
{
    public static void Collect(byte[]? document, Dictionary<string, string> sources)
    {
        if (document is null)
        {
            return;
        }
        try
        {
            using var json = JsonDocument.Parse(document);
            foreach (string section in (string[])["people", "accounts"])
            {
                if (json.RootElement.TryGetProperty(section, out var entries) && entries.ValueKind == JsonValueKind.Object)
                {
                    foreach (var entry in entries.EnumerateObject())
                    {
                        Keys(entry.Value, sources);
                    }
                }
            }
        }
        catch (JsonException)
        {
            // The differ reports a document it cannot read; sources are only decoration.
        }
    }

    private static void Keys(JsonElement holder, Dictionary<string, string> sources)
    {
        if (holder.ValueKind != JsonValueKind.Object || !holder.TryGetProperty("keys", out var keys) || keys.ValueKind != JsonValueKind.Array)
        {
            return;
        }
        foreach (var key in keys.EnumerateArray())
        {
            // Hosts ignore "source", so a document may carry any value there: only strings are read.
            if (key.ValueKind == JsonValueKind.Object && key.TryGetProperty("source", out var source) && source.ValueKind == JsonValueKind.String &&
                key.TryGetProperty("key", out var line) && line.ValueKind == JsonValueKind.String &&
                AuthorizedKeyLineParser.Parse(line.GetString()!).Key is { } parsed)
            {
                sources.TryAdd(parsed.Sha256Fingerprint, source.GetString()!);
            }
        }
    }
}
