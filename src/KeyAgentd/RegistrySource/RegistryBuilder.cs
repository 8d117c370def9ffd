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
        var bodies = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var diffs = new DocumentDiffer(settings.Policy, settings.Now, settings.Limits);
        var staged = new List<(string Name, IReadOnlyList<string> Audience, byte[] Body, string Digest)>();
        var newDocs = new List<string>();
        var changed = new List<string>();
        var reissued = new List<string>();
        var guarded = new List<(string, SnapshotDiff)>();
        int unchanged = 0;
        foreach (var (name, audience, body) in targets)
        {
            if (!bodies.TryGetValue(body.Signature, out byte[]? bodyBytes))
            {
                bodies[body.Signature] = bodyBytes = SnapshotDocumentWriter.RenderBody(body, compiler.Revoked);
            }
            string digest = SnapshotDocumentWriter.ContentDigest(audience, bodyBytes);
            previous.Documents.TryGetValue(name, out var before);
            bool sameContent = before?.ContentDigest == digest;
            if (sameContent && before!.ExpiresAt - settings.Now > settings.RefreshBefore && settings.Baseline is null)
            {
                unchanged++;
                continue;
            }
            (before is null ? newDocs : sameContent ? reissued : changed).Add(name);
            if (baseline.Documents.TryGetValue(name, out var old) && old.ContentDigest != digest &&
                diffs.Compare(File.ReadAllBytes(baseline.PathOf(name)), DocumentDiffer.Unstamped(settings.Now, audience, bodyBytes)) is { Guard.Tripped: true } diff)
            {
                guarded.Add((name, diff));
            }
            if (settings.Baseline is not null && sameContent && before!.ExpiresAt - settings.Now > settings.RefreshBefore)
            {
                reissued.Remove(name);
                unchanged++;
                continue;
            }
            staged.Add((name, audience, bodyBytes, digest));
        }
        if (guarded.Count > 0 && !settings.Force && settings.ApproveRemoval is null)
        {
            return new BuildResult(BuildOutcome.GuardTripped, compiler.Problems) { Serial = serial, Guarded = guarded };
        }
        var approvals = guarded.ToDictionary(g => g.Item1, g => g.Item2.Guard.Removed, StringComparer.Ordinal);
        var paths = new List<string>(staged.Count);
        foreach (var (name, audience, bodyBytes, digest) in staged)
        {
            var header = new DocumentHeader(serial, settings.Now, settings.Now + settings.Validity, audience, digest)
            {
                Commit = settings.Commit,
                RemovalApproval = settings.ApproveRemoval is { } reason && approvals.TryGetValue(name, out int removed)
                    ? new RemovalApproval(serial, removed, reason)
                    : null,
            };
            paths.Add(staging.Write(name + PreviousOutput.Extension, SnapshotDocumentWriter.Render(header, bodyBytes)));
        }
        if (signer is not null)
        {
            var blocks = signer.Sign(paths);
            for (int i = 0; i < paths.Count; i++)
            {
                staging.Write(Path.GetFileName(paths[i]) + ".sig", System.Text.Encoding.ASCII.GetBytes(blocks[i]));
            }
        }
        var targetNames = targets.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var deleted = previous.Documents.Keys.Where(n => !targetNames.Contains(n)).Order(StringComparer.Ordinal).ToList();
        staging.Publish(staged.Select(s => s.Name + PreviousOutput.Extension).ToList(), signed: signer is not null,
            deleted.Select(n => n + PreviousOutput.Extension).ToList());
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
}
