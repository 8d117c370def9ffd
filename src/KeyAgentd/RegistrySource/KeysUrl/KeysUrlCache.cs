using System.Collections.Concurrent;
using System.Text.Json;

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
        KeptAnswerFile.Write(Path, Schema, writer =>
        {
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
        });
    }

    /// <summary>A damaged or missing file only costs a full download of each body.</summary>
    private static Dictionary<string, Entry> Load(string path) =>
        KeptAnswerFile.TryRead(path, Schema, root => root.GetProperty("entries").EnumerateArray().ToDictionary(
            e => e.GetProperty("url").GetString()!,
            e => new Entry(e.GetProperty("etag").GetString()!, e.GetProperty("body").GetBytesFromBase64()),
            StringComparer.Ordinal), out var kept) ? kept : new Dictionary<string, Entry>(StringComparer.Ordinal);
}
