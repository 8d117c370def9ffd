using KeyAgentd.Fetch;

namespace KeyAgentd.Verify;

internal sealed partial class SnapshotAcquirer
{
    // The last document the registry served that this process refused, as served: its ETag and bytes (within
    // Registry:MaxBytes, which capped the fetch), in memory only. Without it, a host that refused a snapshot
    // asked with the last-known-good's ETag and downloaded the whole refused document again at every poll.
    private (string ETag, byte[] Content)? _refused;

    /// <summary>
    /// The ETag to ask with: the refused document's (the registry's newest answer), else the last-known-good's.
    /// Without a local copy a 304 would leave nothing to judge, so neither is sent then.
    /// </summary>
    private string? ConditionalETag(byte[]? lastKnownGood, string? lastKnownGoodETag) =>
        _refused?.ETag ?? (lastKnownGood is null ? null : lastKnownGoodETag);

    /// <summary>
    /// A 304 to the refused document's ETag is its kept bytes, judged again in full as if fetched: a 304 says
    /// the bytes are the same, never what the verdict is (time passed, a .sig gained a signature, a new root arrived).
    /// </summary>
    private RegistryFetch Unrefused(RegistryFetch fetch, string? askedWith) =>
        fetch.Status == RegistryFetchStatus.NotModified && _refused is { } refused && askedWith == refused.ETag
            ? new RegistryFetch(RegistryFetchStatus.Ok, refused.Content, refused.ETag)
            : fetch;

    /// <summary>
    /// A fresh snapshot that verified but was not applied (the removal guard stopped it) is asked for like a refused
    /// one: while the registry serves the same bytes, a poll costs a 304 and the kept bytes are judged again in
    /// full, the guard included (an approval or a raised limit then lets them through).
    /// </summary>
    public void NotApplied(AcquiredSnapshot source)
    {
        if (source is { Fresh: true, ETag: { } etag, Content: { } content })
        {
            _refused = (etag, content);
        }
    }

    /// <summary>After a fetched document was judged: kept when refused (and it has an ETag to ask with), forgotten when accepted.</summary>
    private void Judged(RegistryFetch fetch, bool accepted) =>
        _refused = !accepted && fetch.ETag is { } etag ? (etag, fetch.Content!) : null;
}
