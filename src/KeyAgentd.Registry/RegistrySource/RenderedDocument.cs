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
    /// next to each other so one rendered body is held at a time. The compiler must have no errors.
    /// </summary>
    public static IEnumerable<RenderedDocument> All(SourceCompiler compiler, bool includeDefault)
    {
        var targets = compiler.Hosts.Select(h => (Name: h.Name, Audience: (IReadOnlyList<string>)[h.Name], Body: compiler.Compile(h))).ToList();
        if (includeDefault)
        {
            targets.Add((DefaultDocumentName, ["*"], compiler.CompileDefault()));
        }
        string? currentSignature = null;
        (byte[] Bytes, string Digest) rendered = ([], "");
        foreach (var (name, audience, body) in targets.OrderBy(t => t.Body.Signature, StringComparer.Ordinal).ThenBy(t => t.Name, StringComparer.Ordinal))
        {
            if (body.Signature != currentSignature)
            {
                byte[] bytes = SnapshotDocumentWriter.RenderBody(body, compiler.Revoked, compiler.RevokedCertificates);
                rendered = (bytes, SnapshotDocumentWriter.BodyDigest(bytes));
                currentSignature = body.Signature;
            }
            yield return new RenderedDocument(name, audience, rendered.Bytes, SnapshotDocumentWriter.ContentDigest(audience, rendered.Digest));
        }
    }
}
