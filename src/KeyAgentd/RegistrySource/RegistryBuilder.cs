using KeyAgentd.Core.Snapshot;
using KeyAgentd.Core.Source;
using KeyAgentd.RegistrySource.Signing;

namespace KeyAgentd.RegistrySource;

/// <summary>
/// `registry build`: compiles a source tree into DIR/&lt;host&gt;.json. A document whose content is
/// unchanged and not near expiry keeps its bytes (and file, so ETags hold); the others get one new
/// serial (the build time in Unix seconds, or one past the highest serial in DIR if that is higher,
/// so no host ever sees a serial go back, even for a host that left the inventory and came back).
/// Everything is staged first; nothing in DIR changes when the source is invalid or the guard trips.
/// </summary>
internal sealed class RegistryBuilder(BuildSettings settings)
{
    public const string DefaultDocumentName = "_default";

    public BuildResult Build(SourceTree tree, string outputDirectory, IDocumentSigner? signer)
    {
        var compiler = new SourceCompiler(tree, settings.Policy, settings.Now);
        compiler.CheckDocuments(settings.DefaultDocument);
        if (compiler.HasErrors)
        {
            return new BuildResult(BuildOutcome.SourceInvalid, compiler.Problems);
        }
        var previous = PreviousOutput.Read(outputDirectory);
        var baseline = settings.Baseline is { } b ? PreviousOutput.Read(b) : previous;
        long serial = Math.Max(Math.Max(previous.MaxSerial, baseline.MaxSerial) + 1, settings.Now.ToUnixTimeSeconds());
        var targets = compiler.Hosts.Select(h => (Name: h.Name, Audience: (IReadOnlyList<string>)[h.Name], Body: compiler.Compile(h))).ToList();
        if (settings.DefaultDocument)
        {
            targets.Add((DefaultDocumentName, ["*"], compiler.CompileDefault()));
        }

        Directory.CreateDirectory(outputDirectory);
        using var staging = StagingDirectory.Create(outputDirectory);
        // Hosts sharing a body are built together, so one rendered body is held at a time.
        targets = targets.OrderBy(t => t.Body.Signature, StringComparer.Ordinal).ThenBy(t => t.Name, StringComparer.Ordinal).ToList();
        string? currentSignature = null;
        (byte[] Bytes, string Digest) rendered = ([], "");
        var diffs = new DocumentDiffer(settings.Policy, settings.Now, settings.Limits);
        var staged = new List<string>();
        var unsigned = new List<string>();
        var newDocs = new List<string>();
        var changed = new List<string>();
        var reissued = new List<string>();
        var guarded = new List<(string, SnapshotDiff)>();
        var guardedBodies = new Dictionary<string, (IReadOnlyList<string> Audience, byte[] Body, string Digest)>(StringComparer.Ordinal);
        int unchanged = 0;
        foreach (var (name, audience, body) in targets)
        {
            if (body.Signature != currentSignature)
            {
                byte[] bytes = SnapshotDocumentWriter.RenderBody(body, compiler.Revoked);
                rendered = (bytes, SnapshotDocumentWriter.BodyDigest(bytes));
                currentSignature = body.Signature;
            }
            string digest = SnapshotDocumentWriter.ContentDigest(audience, rendered.Digest);
            // The guard compares with what hosts hold now: the published tree (--diff-against) or DIR itself.
            if (baseline.Documents.TryGetValue(name, out var published) && published.ContentDigest != digest &&
                diffs.Compare(File.ReadAllBytes(baseline.PathOf(name)), DocumentDiffer.Unstamped(settings.Now, audience, rendered.Bytes)) is { Guard.Tripped: true } diff)
            {
                guarded.Add((name, diff));
                guardedBodies[name] = (audience, rendered.Bytes, digest);
            }
            previous.Documents.TryGetValue(name, out var before);
            bool sameContent = before?.ContentDigest == digest;
            if (sameContent && before!.ExpiresAt - settings.Now > settings.RefreshBefore)
            {
                unchanged++;
                if (signer is not null && !File.Exists(previous.PathOf(name) + ".sig"))
                {
                    // Same bytes, no signature yet (built unsigned before): signed where it stands, serial and ETag kept.
                    unsigned.Add(name);
                }
                continue;
            }
            (before is null ? newDocs : sameContent ? reissued : changed).Add(name);
            var header = Header(serial, audience, digest, approval: null);
            byte[] bodyBytes = rendered.Bytes;
            staging.Write(name + PreviousOutput.Extension, stream => SnapshotDocumentWriter.Write(stream, header, bodyBytes));
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
                var (audience, bodyBytes, digest) = guardedBodies[name];
                var header = Header(serial, audience, digest, new RemovalApproval(serial, diff.Guard.Removed, reason));
                File.Delete(Path.Combine(staging.Path, name + PreviousOutput.Extension));
                staging.Write(name + PreviousOutput.Extension, stream => SnapshotDocumentWriter.Write(stream, header, bodyBytes));
            }
        }
        var paths = staged.Select(n => Path.Combine(staging.Path, n + PreviousOutput.Extension))
            .Concat(unsigned.Select(n => staging.Link(previous.PathOf(n)))).ToList();
        if (signer is not null)
        {
            var blocks = signer.Sign(paths);
            for (int i = 0; i < paths.Count; i++)
            {
                byte[] block = System.Text.Encoding.ASCII.GetBytes(blocks[i]);
                staging.Write(Path.GetFileName(paths[i]) + ".sig", stream => stream.Write(block));
            }
        }
        var targetNames = targets.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
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

    private DocumentHeader Header(long serial, IReadOnlyList<string> audience, string digest, RemovalApproval? approval) =>
        new(serial, settings.Now, settings.Now + settings.Validity, audience, digest) { Commit = settings.Commit, RemovalApproval = approval };
}
