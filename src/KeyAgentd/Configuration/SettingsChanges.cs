using System.Text.Json;
using System.Text.Json.Nodes;
using KeyAgentd.Core;
using KeyAgentd.Core.Planning;

namespace KeyAgentd.Configuration;

/// <summary>
/// What a reload changes: the effective settings before and after, as configuration keys, compared
/// key by key ("Registry:PollInterval 00:01:00 → 00:00:30"). Values as the daemon uses them (a "60"
/// in the file shows as 00:01:00), user names and passwords in a URL replaced by "***".
/// </summary>
public static class SettingsChanges
{
    public static IReadOnlyList<string> Between(KeyAgentdSettings before, KeyAgentdSettings after)
    {
        var old = Flatten(before);
        var now = Flatten(after);
        return [.. old.Keys.Union(now.Keys).Order(StringComparer.Ordinal)
            .Where(k => old.GetValueOrDefault(k) != now.GetValueOrDefault(k))
            .Select(k => $"{SafeText.Escape(k, 120)} {Show(old.GetValueOrDefault(k))} → {Show(now.GetValueOrDefault(k))}")];
    }

    private static string Show(string? value) => value is null ? "(unset)" : SafeText.Escape(Redact(value), 200);

    /// <summary>A URL with its user name and password replaced by ***, for logs.</summary>
    public static string Redact(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.UserInfo.Length > 0 ? value.Replace(uri.UserInfo + "@", "***@", StringComparison.Ordinal) : value;

    /// <summary>Configuration key → value as text; arrays by index (Accounts:Include:0), as the configuration itself names them.</summary>
    public static Dictionary<string, string> Flatten(KeyAgentdSettings settings)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        Add(values, "", JsonSerializer.SerializeToNode(settings, SettingsJsonContext.Default.KeyAgentdSettings));
        // As the configuration spells it ("managed-block"), not as the enum is named.
        values["Accounts:Mode"] = settings.Accounts.Mode.ToName();
        return values;
    }

    private static void Add(Dictionary<string, string> values, string key, JsonNode? node)
    {
        string Child(string name) => key.Length == 0 ? name : $"{key}:{name}";
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, child) in obj)
                {
                    Add(values, Child(name), child);
                }
                break;
            case JsonArray array:
                for (int i = 0; i < array.Count; i++)
                {
                    Add(values, Child(i.ToString(System.Globalization.CultureInfo.InvariantCulture)), array[i]);
                }
                break;
            case JsonValue value:
                values[key] = value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : value.ToJsonString();
                break;
        }
    }
}
