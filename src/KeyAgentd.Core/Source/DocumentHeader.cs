using KeyAgentd.Core.Snapshot;

namespace KeyAgentd.Core.Source;

/// <summary>
/// The metadata of a built document, everything that is not its content: serial, validity, the
/// source commit, and a removal approval. <see cref="ContentDigest"/> is the SHA-256 of the content,
/// kept in the document (`build.content`) so the next build can tell whether the content changed
/// without re-deriving it.
/// </summary>
public sealed record DocumentHeader(long Serial, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt, IReadOnlyList<string> Audience, string ContentDigest)
{
    public string? Commit { get; init; }

    public RemovalApproval? RemovalApproval { get; init; }
}
