using System.Collections.Concurrent;
using System.Text.Json;

namespace KeyAgentd.RegistrySource.KeysUrl;

/// <summary>
/// Each `.keys` URL's last body (with its ETag when the server sent one), kept in the registry-side
/// state directory (STATE/.keyagentd-keys-urls.json) after a successful build: the next build asks with
/// If-None-Match and a `304 Not Modified` reuses the body instead of downloading it again, and
/// --keep-last-on-source-error reuses it when the URL fails. It holds public keys and the URLs. A body
/// read back goes through the same parser and policy as a fresh one; a damaged file is a warning and
/// every URL is fetched in full.
/// </summary>
internal sealed class KeysUrlCache
{
    public const string FileName = ".keyagentd-keys-urls.json";
    private const string Schema = "keyagentd.keys-url-cache/v1";

    public sealed record Entry(string? ETag, byte[] Body);

    private readonly ConcurrentDictionary<string, Entry> _fresh = new(StringComparer.Ordinal);
    private readonly Lazy<Dictionary<string, Entry>> _previous;

    public KeysUrlCache(string directory)
    {
        Path = System.IO.Path.Combine(directory, FileName);
        _previous = new(Load);
    }

    public string Path { get; }

    /// <summary>Why a kept file that exists was not used, for the build's stderr.</summary>
    public List<string> Warnings { get; } = [];

    /// <summary>What the previous build saved for <paramref name="url"/>, if anything.</summary>
    public Entry? Previous(string url) => _previous.Value.GetValueOrDefault(url);

    /// <summary>A body this build has (fetched, or reused on a 304) and the ETag that names it, if any.</summary>
    public void Remember(string url, string? etag, byte[] body) => _fresh[url] = new Entry(etag, body);

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
                if (entry.ETag is { } etag)
                {
                    writer.WriteString("etag", etag);
                }
                writer.WriteBase64String("body", entry.Body);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
        });
    }

    /// <summary>A damaged or missing file only costs a full download of each body (and, for a failed URL, the keys to reuse).</summary>
    private Dictionary<string, Entry> Load()
    {
        if (KeptAnswerFile.TryRead(Path, Schema, root => root.GetProperty("entries").EnumerateArray().ToDictionary(
            e => Text(e.GetProperty("url")),
            e => new Entry(e.TryGetProperty("etag", out var etag) ? Text(etag) : null, e.GetProperty("body").GetBytesFromBase64()),
            StringComparer.Ordinal), out var kept, out string? damage))
        {
            return kept!;
        }
        if (damage is not null)
        {
            Warnings.Add($"{Path} {damage}; not used");
        }
        return new Dictionary<string, Entry>(StringComparer.Ordinal);
    }

    private static string Text(JsonElement value) =>
        value.ValueKind == JsonValueKind.String ? value.GetString()! : throw new FormatException("a kept URL or ETag is not a string");
}
