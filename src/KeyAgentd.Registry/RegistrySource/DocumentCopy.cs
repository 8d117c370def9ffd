using KeyAgentd.Core.Source;

namespace KeyAgentd.RegistrySource;

/// <summary>
/// One document as a directory holds it now (the output directory, or the published tree of
/// --diff-against), read at the edge for <see cref="BuildPlan"/>: its bytes, its header when it has a
/// readable one, and where it was read (for errors). Untrusted, like everything read back.
/// </summary>
/// <param name="Bytes">the file's bytes, or null when there is none</param>
/// <param name="Header">the header <see cref="PreviousOutput"/> read, or null when it has none it believes</param>
internal sealed record DocumentCopy(byte[]? Bytes, PublishedDocument? Header, string Path)
{
    private RenderedDocument? _judged;
    private bool _holds;

    /// <summary>
    /// True when these bytes are, byte for byte, what a build writes for the target under their own header's
    /// metadata. The answer for the last target asked is kept: a build judges every copy on all cores, ahead
    /// of the plan that asks again (<see cref="RegistryBuilder"/>); the bytes never change once read.
    /// </summary>
    public bool Holds(RenderedDocument target)
    {
        if (!ReferenceEquals(_judged, target))
        {
            _holds = Bytes is not null && Header is not null && BuiltDocument.Holds(Bytes, Header, target.Audience, target.ContentDigest, target.Body);
            _judged = target;
        }
        return _holds;
    }
}
