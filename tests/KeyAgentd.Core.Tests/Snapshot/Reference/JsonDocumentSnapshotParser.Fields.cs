using KeyAgentd.Core;
using KeyAgentd.Core.Snapshot;
using System.Text.Json;

namespace KeyAgentd.Core.Tests.Snapshot.Reference;

/// <summary>Typed field readers: every failure names the JSON path, so the registry's author can find it.</summary>
internal static partial class JsonDocumentSnapshotParser
{
    private static JsonElement Required(JsonElement obj, string name, string parentPath)
    {
        if (!obj.TryGetProperty(name, out var value))
        {
            string path = parentPath.Length == 0 ? name : parentPath + "." + name;
            throw Fail(SnapshotError.MissingField, $"{path}: required field is missing");
        }
        return value;
    }

    /// <summary>Absent and null both mean "not given": generators commonly write null for unset optional fields.</summary>
    private static bool Optional(JsonElement obj, string name, out JsonElement value) =>
        obj.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null;

    private static string ReadString(JsonElement element, string path) =>
        element.ValueKind == JsonValueKind.String
            ? element.GetString()!
            : throw Fail(SnapshotError.InvalidField, $"{path}: expected a string, got {Describe(element.ValueKind)}");

    private static JsonElement ReadObject(JsonElement element, string path) =>
        element.ValueKind == JsonValueKind.Object
            ? element
            : throw Fail(SnapshotError.InvalidField, $"{path}: expected an object, got {Describe(element.ValueKind)}");

    private static JsonElement ReadArray(JsonElement element, string path) =>
        element.ValueKind == JsonValueKind.Array
            ? element
            : throw Fail(SnapshotError.InvalidField, $"{path}: expected an array, got {Describe(element.ValueKind)}");

    private static long ReadSerial(JsonElement element)
    {
        // TryGetInt64 refuses fractions, exponents and anything beyond 64 bits, so "1e3" or a
        // 30-digit serial cannot be rounded into a value that passes the rollback check.
        if (element.ValueKind != JsonValueKind.Number || !element.TryGetInt64(out long serial) || serial < 0)
        {
            string shown = element.ValueKind == JsonValueKind.Number ? SafeText.Escape(element.GetRawText(), 40) : Describe(element.ValueKind);
            throw Fail(SnapshotError.InvalidField, $"serial: expected a non-negative integer, got {shown}");
        }
        return serial;
    }

    /// <summary>
    /// ISO 8601 with an explicit offset: a time without one would mean the host's local time,
    /// and the same registry would then expire keys at different instants on different hosts.
    /// </summary>
    private static DateTimeOffset ReadDate(JsonElement element, string path)
    {
        string text = ReadString(element, path);
        if (!element.TryGetDateTimeOffset(out var when) || !HasExplicitOffset(text))
        {
            throw Fail(SnapshotError.InvalidField, $"{path}: expected an ISO 8601 date-time with offset such as 2027-06-01T00:00:00Z, got \"{SafeText.Escape(text, 60)}\"");
        }
        return when;
    }

    private static bool HasExplicitOffset(string text) =>
        text.EndsWith('Z') || text.EndsWith('z') ||
        (text.Length > 6 && text[^6] is '+' or '-' && text[^3] == ':' && text.Contains('T', StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// JSON leaves duplicate names undefined and parsers disagree on which one wins; a registry
    /// whose meaning depends on the reader is refused.
    /// </summary>
    private static void RejectDuplicateProperties(JsonElement element, string path)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in element.EnumerateObject())
            {
                string childPath = path == "$" ? Child("", property.Name) : Child(path, property.Name);
                if (!seen.Add(property.Name))
                {
                    throw Fail(SnapshotError.InvalidJson, $"{childPath}: duplicate property name");
                }
                RejectDuplicateProperties(property.Value, childPath);
            }
        }
        else if (element.ValueKind == JsonValueKind.Array)
        {
            int index = 0;
            foreach (var item in element.EnumerateArray())
            {
                RejectDuplicateProperties(item, $"{path}[{index++}]");
            }
        }
    }

    /// <summary>"accounts.deploy"; names that would make the path ambiguous or unreadable are quoted and escaped.</summary>
    private static string Child(string parent, string name)
    {
        bool plain = name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' or '@' or '+');
        string segment = plain ? name : $"[\"{SafeText.Escape(name, 64)}\"]";
        if (parent.Length == 0)
        {
            return segment;
        }
        return plain ? parent + "." + segment : parent + segment;
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    private static SnapshotFormatException Fail(string code, string message) => new(new SnapshotError(code, message));
}
