using System.Globalization;
using KeyAgentd.Core.Source;

namespace KeyAgentd.RegistrySource;

/// <summary>
/// The documents a directory already holds (DIR/&lt;name&gt;.json): --out's previous build, or the
/// published tree of --diff-against. Untrusted: whoever writes the web root or the bucket can write
/// what is copied back. Headers are read for names and serials only; whether a document is still
/// what the source builds is decided by comparing its bytes (<see cref="Holds"/>), never by its own
/// claim (build.content); a serial read back is believed only up to a year past the build time; and
/// every file is read through <see cref="DocumentFile"/> (regular files of DIR itself, bounded, never a symlink or a FIFO).
/// </summary>
internal sealed class PreviousOutput
{
    public const string Extension = ".json";

    /// <summary>
    /// Builds number serials by their time (Unix seconds), one more than the highest when that is higher,
    /// so a real serial is never far ahead of the clock: a year covers any clock step back.
    /// </summary>
    public static readonly TimeSpan MaxSerialLead = TimeSpan.FromDays(366);

    private readonly string _directory;

    private PreviousOutput(string directory, Dictionary<string, PublishedDocument> documents)
    {
        _directory = directory;
        Documents = documents;
    }

    public IReadOnlyDictionary<string, PublishedDocument> Documents { get; }

    public long MaxSerial => Documents.Count == 0 ? 0 : Documents.Values.Max(d => d.Serial);

    /// <param name="required">--diff-against and `diff`: the directory must exist. --out: a directory that does not exist yet is the first build.</param>
    /// <exception cref="IOException">The directory is missing (when required), not a directory, cannot be read, holds a serial beyond <see cref="MaxSerialLead"/>, or holds a DIR/&lt;name&gt;.json <see cref="DocumentFile"/> refuses.</exception>
    /// <exception cref="UnauthorizedAccessException">The directory or a document in it cannot be read.</exception>
    public static PreviousOutput Read(string directory, DateTimeOffset now, bool required)
    {
        var documents = new Dictionary<string, PublishedDocument>(StringComparer.Ordinal);
        if (required || Path.Exists(directory))
        {
            RequireDirectory(directory);
        }
        else
        {
            return new PreviousOutput(directory, documents);
        }
        long ceiling = (now + MaxSerialLead).ToUnixTimeSeconds();
        foreach (string path in Names(directory).Select(n => Path.Combine(directory, n + Extension)))
        {
            if (PublishedDocument.TryRead(ReadHead(path), out var document))
            {
                if (document.Serial > ceiling)
                {
                    throw new IOException(string.Create(CultureInfo.InvariantCulture,
                        $"{path}: serial {document.Serial} is more than a year past the build time; builds number serials by their time, so no build wrote it: remove the file (or fix the clock or SOURCE_DATE_EPOCH)"));
                }
                documents[Path.GetFileName(path)[..^Extension.Length]] = document;
            }
        }
        return new PreviousOutput(directory, documents);
    }

    /// <exception cref="IOException">The path is missing or not a directory: a mistyped path is never an empty tree.</exception>
    public static void RequireDirectory(string directory)
    {
        if (!Directory.Exists(directory))
        {
            throw new IOException($"{directory}: {(Path.Exists(directory) ? "not a directory" : "no such directory")}");
        }
    }

    /// <summary>
    /// The document names in a directory (DIR/&lt;name&gt;.json, dot files skipped): every entry of that name, whatever its
    /// type, so a FIFO, a symlink or a directory named like a document is refused by name when it is read, never passed over.
    /// </summary>
    public static IEnumerable<string> Names(string directory) =>
        Directory.EnumerateFileSystemEntries(directory, "*" + Extension).Select(p => Path.GetFileName(p)[..^Extension.Length]).Where(n => n.Length > 0 && !n.StartsWith('.'));

    public string PathOf(string name) => Path.Combine(_directory, name + Extension);

    /// <summary>DIR/&lt;name&gt;.json's bytes, or null when there is none.</summary>
    /// <exception cref="IOException"><see cref="DocumentFile"/> refuses it.</exception>
    public byte[]? TryRead(string name) => DocumentFile.TryRead(PathOf(name), DocumentFile.MaxDocumentBytes);

    /// <summary>
    /// True when DIR/&lt;name&gt;.json is, byte for byte, what the builder writes for this audience and body
    /// under the metadata of its own header (serial, times, commit, approval). A key appended to a person,
    /// a field added or anything reformatted makes it false, whatever build.content claims.
    /// </summary>
    /// <param name="document">the bytes <see cref="TryRead"/> read: the very bytes judged are the ones kept or signed</param>
    public bool Holds(string name, byte[]? document, IReadOnlyList<string> audience, string contentDigest, byte[] body) =>
        document is not null && Documents.TryGetValue(name, out var header) && BuiltDocument.Holds(document, header, audience, contentDigest, body);

    /// <summary>The header comes first and is small: 4 KiB holds it unless the build commit or approval is huge, then the whole file is read.</summary>
    private static byte[] ReadHead(string path)
    {
        byte[] head = DocumentFile.TryRead(path, DocumentFile.MaxDocumentBytes, prefix: 4096) ?? [];
        return head.Length == 4096 && head.AsSpan().IndexOf("\"people\""u8) < 0 ? DocumentFile.TryRead(path, DocumentFile.MaxDocumentBytes) ?? [] : head;
    }
}
