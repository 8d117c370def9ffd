using KeyAgentd.Core.Snapshot;
using KeyAgentd.Core.Source;

namespace KeyAgentd.RegistrySource;

/// <summary>
/// One document as the source renders it now, without its metadata: what `registry build` writes
/// and what `registry sign --source` demands, byte for byte, of the document it is asked to sign.
/// </summary>
internal sealed record RenderedDocument(string Name, IReadOnlyList<string> Audience, byte[] Body, string ContentDigest)
{
    public const string DefaultDocumentName = "_default";

    /// <summary>
    /// Every inventory host's document (and the default document when asked), hosts sharing a body
    /// next to each other, the distinct bodies rendered a few at a time on all cores so only those few
    /// are held at once. The compiler must have no errors.
    /// </summary>
    public static IEnumerable<RenderedDocument> All(SourceCompiler compiler, bool includeDefault)
    {
        var targets = compiler.Hosts.Select(h => (Name: h.Name, Audience: (IReadOnlyList<string>)[h.Name], Body: compiler.Compile(h))).ToList();
        if (includeDefault)
        {
            targets.Add((DefaultDocumentName, ["*"], compiler.CompileDefault()));
        }
        var groups = targets.OrderBy(t => t.Body.Signature, StringComparer.Ordinal).ThenBy(t => t.Name, StringComparer.Ordinal)
            .GroupBy(t => t.Body.Signature, StringComparer.Ordinal);
        var options = new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount };
        foreach (var chunk in groups.Chunk(BodiesAtOnce))
        {
            var rendered = new (byte[] Bytes, string Digest)[chunk.Length];
            Parallel.For(0, chunk.Length, options, i =>
            {
                byte[] bytes = SnapshotDocumentWriter.RenderBody(chunk[i].First().Body, compiler.Revoked, compiler.RevokedCertificates);
                rendered[i] = (bytes, SnapshotDocumentWriter.BodyDigest(bytes));
            });
            for (int i = 0; i < chunk.Length; i++)
            {
                foreach (var (name, audience, _) in chunk[i])
                {
                    yield return new RenderedDocument(name, audience, rendered[i].Bytes, SnapshotDocumentWriter.ContentDigest(audience, rendered[i].Digest));
                }
            }
        }
    }

    /// <summary>Distinct bodies rendered at once: enough for every core, few enough that their bytes (~100 KB each) stay small.</summary>
    private const int BodiesAtOnce = 16;
}
