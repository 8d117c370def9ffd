using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using KeyAgentd.Storage;

namespace KeyAgentd.RegistrySource;

/// <summary>
/// A source's answer kept beside the built documents for the next build (DIR/.keyagentd-*.json, dot
/// files that build, sign and diff skip): one JSON object tagged with its schema, written durably.
/// A file that is missing, damaged or of another schema reads as nothing: it only ever saves work.
/// Owner-only (0600): it is the build's working state, not for publishing, and a web server that serves
/// DIR as another user gets 403 for it instead of the directory's whole answer.
/// </summary>
internal static class KeptAnswerFile
{
    public static void Write(string path, string schema, Action<Utf8JsonWriter> fields)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var json = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(json))
        {
            writer.WriteStartObject();
            writer.WriteString("schema", schema);
            fields(writer);
            writer.WriteEndObject();
        }
        DurableFile.WriteAllBytes(path, json.WrittenSpan.ToArray(), Posix.Mode0600);
    }

    public static bool TryRead<T>(string path, string schema, Func<JsonElement, T> read, [NotNullWhen(true)] out T? value)
    {
        value = default;
        if (!File.Exists(path))
        {
            return false;
        }
        try
        {
            using var json = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = json.RootElement;
            if (!root.TryGetProperty("schema", out var tag) || tag.GetString() != schema)
            {
                return false;
            }
            value = read(root)!;
            return true;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException)
        {
            return false;
        }
    }
}
