using KeyAgentd.Core.Snapshot;

namespace KeyAgentd.Core.Source;

/// <summary>
/// A document as `registry build` writes it: the header, then the body from `"people"` on, then
/// "\n}\n". <see cref="Check"/> recomputes the content digest from the body and re-renders the whole
/// document from its own header, so a document edited after the build (a key appended, the header
/// kept) is told apart from one the builder wrote, byte for byte.
/// </summary>
public static class BuiltDocument
{
    /// <summary>The body starts at the first property at depth 1 named "people": a header string cannot hold a raw newline.</summary>
    private static ReadOnlySpan<byte> BodyStart => "\n  \"people\": "u8;

    private static ReadOnlySpan<byte> Tail => "\n}\n"u8;

    public static DocumentIntegrity Check(byte[] document, out PublishedDocument? header)
    {
        header = null;
        if (!PublishedDocument.TryRead(document, out var read) || read.Audience is null || read.IssuedAt is null)
        {
            return DocumentIntegrity.Unreadable;
        }
        header = read;
        if (read.ContentDigest is null)
        {
            return DocumentIntegrity.NotBuilt;
        }
        if (Body(document) is not { } body)
        {
            return DocumentIntegrity.DigestMismatch;
        }
        if (SnapshotDocumentWriter.ContentDigest(read.Audience, SnapshotDocumentWriter.BodyDigest(body)) != read.ContentDigest)
        {
            return DocumentIntegrity.DigestMismatch;
        }
        return Holds(document, read, read.Audience, read.ContentDigest, body) ? DocumentIntegrity.Intact : DocumentIntegrity.NotCanonical;
    }

    /// <summary>
    /// True when <paramref name="document"/> is exactly what the builder writes for this body and
    /// audience under <paramref name="header"/>'s metadata (serial, times, commit, approval): every byte
    /// of it then comes from the source, except metadata the caller bounds.
    /// </summary>
    public static bool Holds(ReadOnlySpan<byte> document, PublishedDocument header, IReadOnlyList<string> audience, string contentDigest, byte[] body) =>
        SnapshotDocumentWriter.Renders(document, header.Restamp(audience, contentDigest), body);

    /// <summary>The bytes between the header and the closing brace, as <see cref="SnapshotDocumentWriter.RenderBody"/> wrote them.</summary>
    private static byte[]? Body(byte[] document)
    {
        int start = document.AsSpan().IndexOf(BodyStart);
        return start < 0 || !document.AsSpan().EndsWith(Tail) || start + 1 > document.Length - Tail.Length
            ? null
            : document.AsSpan(start + 1, document.Length - Tail.Length - start - 1).ToArray();
    }
}
