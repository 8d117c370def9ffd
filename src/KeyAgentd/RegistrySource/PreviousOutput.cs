using KeyAgentd.Core.Source;

namespace KeyAgentd.RegistrySource;

/// <summary>The documents a directory already holds (DIR/&lt;name&gt;.json), read for their headers.</summary>
internal sealed class PreviousOutput
{
    public const string Extension = ".json";

    private readonly string _directory;

    private PreviousOutput(string directory, Dictionary<string, PublishedDocument> documents)
    {
        _directory = directory;
        Documents = documents;
    }

    public IReadOnlyDictionary<string, PublishedDocument> Documents { get; }

    public long MaxSerial => Documents.Count == 0 ? 0 : Documents.Values.Max(d => d.Serial);

    public static PreviousOutput Read(string directory)
    {
        var documents = new Dictionary<string, PublishedDocument>(StringComparer.Ordinal);
        if (Directory.Exists(directory))
        {
            foreach (string path in Directory.EnumerateFiles(directory, "*" + Extension))
            {
                string name = Path.GetFileName(path)[..^Extension.Length];
                if (!name.StartsWith('.') && PublishedDocument.TryRead(ReadHead(path), out var document))
                {
                    documents[name] = document;
                }
            }
        }
        return new PreviousOutput(directory, documents);
    }

    public string PathOf(string name) => Path.Combine(_directory, name + Extension);

    /// <summary>The header comes first and is small: 4 KiB holds it unless the build commit or approval is huge, then the whole file is read.</summary>
    private static byte[] ReadHead(string path)
    {
        using var stream = File.OpenRead(path);
        var buffer = new byte[Math.Min(stream.Length, 4096)];
        stream.ReadExactly(buffer);
        return buffer.Length < stream.Length && buffer.AsSpan().IndexOf("\"people\""u8) < 0 ? File.ReadAllBytes(path) : buffer;
    }
}
