using System.Buffers;
using System.Collections.Concurrent;
using System.Text.Json;
using KeyAgentd.Storage;

namespace KeyAgentd.RegistrySource.KeysUrl;

/// <summary>
/// Each `.keys` URL's last body with its ETag, kept beside the built documents
/// (DIR/.keyagentd-keys-urls.json, skipped like every dot file there) after a successful build, so the
/// next build asks with If-None-Match and a `304 Not Modified` reuses the body instead of downloading
/// it again. It holds public keys the documents already publish, and the URLs.
/// </summary>
internal sealed class KeysUrlCache(string directory)
{
    public const string FileName = ".keyagentd-keys-urls.json";
    private const string Schema = "keyagentd.keys-url-cache/v1";

    public sealed record Entry(string ETag, byte[] Body);

    private readonly ConcurrentDictionary<string, Entry> _fresh = new(StringComparer.Ordinal);
    private readonly Lazy<Dictionary<string, Entry>> _previous = new(() => Load(System.IO.Path.Combine(directory, FileName)));

    public string Path => System.IO.Path.Combine(directory, FileName);

    /// <summary>What the previous build saved for <paramref name="url"/>, if anything.</summary>
    public Entry? Previous(string url) => _previous.Value.GetValueOrDefault(url);

    /// <summary>A body this build has (fetched, or reused on a 304) and the ETag that names it.</summary>
    public void Remember(string url, string? etag, byte[] body)
    {
        if (etag is not null)
        {
            _fresh[url] = new Entry(etag, body);
        }
    }

    /// <summary>Replaces the file with this build's bodies; called once the build succeeded.</summary>
    public void Save()
    {
        if (_fresh.IsEmpty && !File.Exists(Path))
        {
            // A source without .keys URLs leaves no file behind.
            return;
        }
        Directory.CreateDirectory(directory);
        var json = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(json))
        {
            writer.WriteStartObject();
            writer.WriteString("schema", Schema);
            writer.WriteStartArray("entries");
            foreach (var (url, entry) in _fresh.OrderBy(e => e.Key, StringComparer.Ordinal))
            {
                writer.WriteStartObject();
                writer.WriteString("url", url);
                writer.WriteString("etag", entry.ETag);
                writer.WriteBase64String("body", entry.Body);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        DurableFile.WriteAllBytes(Path, json.WrittenSpan.ToArray(), Posix.Mode0644);
    }

    private static Dictionary<string, Entry> Load(string path)
    {
        var entries = new Dictionary<string, Entry>(StringComparer.Ordinal);
        if (!File.Exists(path))
        {
            return entries;
        }
        try
        {
            using var json = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = json.RootElement;
            if (!root.TryGetProperty("schema", out var schema) || schema.GetString() != Schema)
            {
                return entries;
            }
            foreach (var entry in root.GetProperty("entries").EnumerateArray())
            {
                entries[entry.GetProperty("url").GetString()!] = new Entry(entry.GetProperty("etag").GetString()!, entry.GetProperty("body").GetBytesFromBase64());
            }
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            // A damaged cache only costs a full download.
            entries.Clear();
        }
        return entries;
    }
}
