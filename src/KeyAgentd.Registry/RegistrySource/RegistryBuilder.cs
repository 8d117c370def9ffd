using KeyAgentd.Core.Snapshot;
using KeyAgentd.Core.Source;
using KeyAgentd.RegistrySource.Signing;

namespace KeyAgentd.RegistrySource;

/// <summary>
/// `registry build`: compiles a source tree into DIR/&lt;host&gt;.json. A document is left alone (same
/// bytes, same file, so ETags hold) only when its bytes are exactly what the source renders now under
/// its own header's metadata, that metadata is one a build could have written, and it is not near
/// expiry; nothing else in DIR is believed (README "Security"). The others get one new serial (the
/// build time in Unix seconds, or one past the highest serial in DIR and the published tree if that is
/// higher, so no host ever sees a serial go back, even for a host that left the inventory and came back).
/// Everything is staged first; nothing in DIR changes when the source is invalid or the guard trips.
/// </summary>
internal sealed class RegistryBuilder(BuildSettings settings)
{
    public const string DefaultDocumentName = RenderedDocument.DefaultDocumentName;

    /// <exception cref="IOException">--out or --diff-against cannot be read (<see cref="PreviousOutput.Read"/>), or another build holds DIR.</exception>
    public BuildResult Build(SourceTree tree, string outputDirectory, IDocumentSigner? signer)
    {
        var compiler = new SourceCompiler(tree, settings.Policy, settings.Now);
        compiler.CheckDocuments(settings.DefaultDocument);
        if (compiler.HasErrors)
        {
            return new BuildResult(BuildOutcome.SourceInvalid, compiler.Problems);
        }
        var previous = PreviousOutput.Read(outputDirectory, settings.Now, required: false);
        var baseline = settings.Baseline is { } b ? PreviousOutput.Read(b, settings.Now, required: true) : previous;
        long serial = Math.Max(Math.Max(previous.MaxSerial, baseline.MaxSerial) + 1, settings.Now.ToUnixTimeSeconds());
        var targets = RenderedDocument.All(compiler, settings.DefaultDocument);

        Directory.CreateDirectory(outputDirectory);
        using var staging = StagingDirectory.Create(outputDirectory);
        var diffs = new DocumentDiffer(settings.Policy, settings.Now, settings.Limits);
        var staged = new List<string>();
        var unsigned = new List<string>();
        var newDocs = new List<string>();
        var changed = new List<string>();
        var reissued = new List<string>();
        var guarded = new List<(string, SnapshotDiff)>();
        var guardedBodies = new Dictionary<string, RenderedDocument>(StringComparer.Ordinal);
        var targetNames = new HashSet<string>(StringComparer.Ordinal);
        int unchanged = 0;
        foreach (var target in targets)
        {
            var (name, audience, body, digest) = target;
            targetNames.Add(name);
            // The guard compares with what hosts hold now: the published tree (--diff-against) or DIR itself.
            // A file there that is no registry document is an error (DocumentDiffer), never a host that held nothing.
            byte[]? held = previous.TryRead(name);
            byte[]? published = ReferenceEquals(baseline, previous) ? held : baseline.TryRead(name);
            if (published is not null && !baseline.Holds(name, published, audience, digest, body) &&
                diffs.Compare(published, DocumentDiffer.Unstamped(settings.Now, audience, body), baseline.PathOf(name)) is { Guard.Tripped: true } diff)
            {
                guarded.Add((name, diff));
                guardedBodies[name] = target;
            }
            previous.Documents.TryGetValue(name, out var before);
            bool sameContent = before is not null && Plausible(before) && previous.Holds(name, held, audience, digest, body);
            if (sameContent && before!.ExpiresAt - settings.Now > settings.RefreshBefore)
            {
                unchanged++;
                if (signer is not null && !Path.Exists(previous.PathOf(name) + ".sig"))
                {
                    // The very bytes the source renders, not signed yet (built unsigned before): their serial and ETag are kept.
                    // What is signed is a copy of the bytes just compared, never the file again (it may have changed since).
                    staging.Write(name + PreviousOutput.Extension, held!);
                    unsigned.Add(name);
                }
                continue;
            }
            (before is null ? newDocs : sameContent ? reissued : changed).Add(name);
            var header = Header(serial, audience, digest, approval: null);
            staging.Write(name + PreviousOutput.Extension, stream => SnapshotDocumentWriter.Write(stream, header, body));
            staged.Add(name);
        }
        if (guarded.Count > 0 && !settings.Force && settings.ApproveRemoval is null)
        {
            return new BuildResult(BuildOutcome.GuardTripped, compiler.Problems) { Serial = serial, Guarded = guarded };
        }
        if (settings.ApproveRemoval is { } reason)
        {
            foreach (var (name, diff) in guarded.Where(g => staged.Contains(g.Item1)))
            {
                var (_, audience, bodyBytes, digest) = guardedBodies[name];
                var header = Header(serial, audience, digest, new RemovalApproval(serial, diff.Guard.Removed, reason));
                File.Delete(Path.Combine(staging.Path, name + PreviousOutput.Extension));
                staging.Write(name + PreviousOutput.Extension, stream => SnapshotDocumentWriter.Write(stream, header, bodyBytes));
            }
        }
        var paths = staged.Concat(unsigned).Select(n => Path.Combine(staging.Path, n + PreviousOutput.Extension)).ToList();
        if (signer is not null)
        {
            var blocks = signer.Sign(paths);
            for (int i = 0; i < paths.Count; i++)
            {
                byte[] block = System.Text.Encoding.ASCII.GetBytes(blocks[i]);
                staging.Write(Path.GetFileName(paths[i]) + ".sig", stream => stream.Write(block));
            }
        }
        // Only documents a build wrote (they carry build.content) are removed: a hand-written file in DIR is not ours to delete.
        var deleted = previous.Documents.Where(d => d.Value.ContentDigest is not null && !targetNames.Contains(d.Key))
            .Select(d => d.Key).Order(StringComparer.Ordinal).ToList();
        staging.Publish(staged.Select(n => n + PreviousOutput.Extension).ToList(), signed: signer is not null,
            deleted.Select(n => n + PreviousOutput.Extension).ToList(), unsigned.Select(n => n + PreviousOutput.Extension).ToList());
        return new BuildResult(BuildOutcome.Built, compiler.Problems)
        {
            Serial = serial,
            New = newDocs,
            Changed = changed,
            Reissued = reissued,
            Unchanged = unchanged,
            Deleted = deleted,
            Guarded = guarded,
            Signer = signer?.Describe(),
        };
    }

    /// <summary>
    /// Metadata a build could have written, so keeping it keeps nothing an editor of the published copy chose:
    /// issued no later than now, expiring no later than a build now would set, a commit id or none, and a
    /// removal approval only for the document's own serial (as a build writes it). Anything else is rebuilt.
    /// </summary>
    private bool Plausible(PublishedDocument document) =>
        document.IssuedAt is { } issued && issued <= settings.Now && document.ExpiresAt <= settings.Now + settings.Validity && document.Serial > 0 &&
        (document.Commit is null || (document.Commit.Length is 40 or 64 && document.Commit.All(char.IsAsciiHexDigitLower))) &&
        (document.RemovalApproval is null || document.RemovalApproval.Serial == document.Serial);

    private DocumentHeader Header(long serial, IReadOnlyList<string> audience, string digest, RemovalApproval? approval) =>
        new(serial, settings.Now, settings.Now + settings.Validity, audience, digest) { Commit = settings.Commit, RemovalApproval = approval };
}
