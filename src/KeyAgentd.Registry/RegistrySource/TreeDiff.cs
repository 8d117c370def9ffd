using KeyAgentd.Core.Source;

namespace KeyAgentd.RegistrySource;

/// <summary>How a host's document differs between two trees.</summary>
internal enum DocumentChange
{
    Changed,
    New,
    Removed,
}

/// <summary>
/// Two directories of documents compared as the hosts will judge them, one <see cref="DocumentDiffer"/>
/// result per document that differs: the one comparison `diff` and `build --diff-against` both make.
/// Every file is read through <see cref="DocumentFile"/> (regular files only, bounded).
/// </summary>
/// <param name="Sources">the audit-only "source" of each key, by fingerprint (<see cref="KeySources"/>)</param>
internal sealed record TreeDiff(IReadOnlyList<TreeDiff.Document> Documents, int Unchanged, IReadOnlyDictionary<string, string> Sources)
{
    internal sealed record Document(string Name, DocumentChange Change, SnapshotDiff Diff);

    public bool GuardTripped => Documents.Any(d => d.Diff.Guard.Tripped);

    /// <summary>Both directories must exist: a mistyped one is an error, never an empty registry that makes every key look gained or lost.</summary>
    /// <exception cref="IOException">A directory, or a file in it, cannot be read as documents.</exception>
    public static TreeDiff Compare(string oldDir, string newDir, DocumentDiffer differ)
    {
        var documents = new List<Document>();
        var sources = new Dictionary<string, string>(StringComparer.Ordinal);
        int unchanged = 0;
        var names = Names(oldDir).Union(Names(newDir)).Order(StringComparer.Ordinal).ToList();
        foreach (string name in names)
        {
            string beforePath = Path.Combine(oldDir, name + PreviousOutput.Extension);
            string afterPath = Path.Combine(newDir, name + PreviousOutput.Extension);
            byte[]? before = DocumentFile.TryRead(beforePath, DocumentFile.MaxDocumentBytes);
            byte[]? after = DocumentFile.TryRead(afterPath, DocumentFile.MaxDocumentBytes);
            if (before is not null && after is not null && before.AsSpan().SequenceEqual(after))
            {
                unchanged++;
                continue;
            }
            var diff = differ.Compare(before, after, beforePath, afterPath);
            KeySources.Collect(after, sources);
            KeySources.Collect(before, sources);
            documents.Add(new Document(name, before is null ? DocumentChange.New : after is null ? DocumentChange.Removed : DocumentChange.Changed, diff));
        }
        return new TreeDiff(documents, unchanged, sources);
    }

    private static List<string> Names(string directory)
    {
        PreviousOutput.RequireDirectory(directory);
        return PreviousOutput.Names(directory).ToList();
    }
}
