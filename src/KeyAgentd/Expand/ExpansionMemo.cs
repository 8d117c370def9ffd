using System.Security.Cryptography;
using KeyAgentd.Core.Policy;
using KeyAgentd.Core.Snapshot;

namespace KeyAgentd.Expand;

/// <summary>
/// The daemon's no-change cycle: when the snapshot bytes are the same as last cycle's, parsing and
/// expanding them again gives the same answer — until `now` crosses the earliest expiry among the
/// desired keys (a not_after or an expiry-time), which is the only way time changes the result.
/// Keyed by the SHA-256 of the snapshot bytes, so nothing stale can be served for new content.
/// </summary>
internal sealed class ExpansionMemo
{
    private byte[]? _hash;
    private byte[]? _content;
    private RegistrySnapshot? _snapshot;
    private DesiredState? _desired;
    private DateTimeOffset _validUntil;

    /// <summary>The bytes the remembered snapshot was parsed from, which it still refers to (a key's text is read from them).</summary>
    public byte[]? Content => _content;

    /// <summary>The parsed snapshot for these bytes, if the last cycle parsed the same bytes.</summary>
    public bool TryGetSnapshot(byte[] content, out RegistrySnapshot? snapshot)
    {
        // The state store hands back the very same array while the file is unchanged: no hashing then.
        // Equal bytes in another array are served too, but not remembered: the snapshot refers to its own.
        if (_snapshot is null || !ReferenceEquals(content, _content) && !SHA256.HashData(content).AsSpan().SequenceEqual(_hash))
        {
            snapshot = null;
            return false;
        }
        snapshot = _snapshot;
        return true;
    }

    public void RememberSnapshot(byte[] content, RegistrySnapshot snapshot)
    {
        if (!ReferenceEquals(snapshot, _snapshot))
        {
            _hash = SHA256.HashData(content);
            _content = content;
            _snapshot = snapshot;
            _desired = null;
        }
    }

    private bool _replaced;

    /// <summary>
    /// Whether an expansion was computed since the last call: the one before it (tens of megabytes on a large
    /// host) is garbage now.
    /// </summary>
    public bool TakeReplaced()
    {
        bool replaced = _replaced;
        _replaced = false;
        return replaced;
    }

    public DesiredState Expand(RegistrySnapshot snapshot, KeyPolicy policy, DateTimeOffset now)
    {
        if (_desired is not null && ReferenceEquals(snapshot, _snapshot) && now < _validUntil)
        {
            return _desired;
        }
        var desired = SnapshotExpander.Expand(snapshot, policy, now);
        _replaced = true;
        if (ReferenceEquals(snapshot, _snapshot))
        {
            _desired = desired;
            _validUntil = NextExpiry(desired, now, policy.LocalZone);
        }
        return desired;
    }

    private static DateTimeOffset NextExpiry(DesiredState desired, DateTimeOffset now, TimeZoneInfo localZone)
    {
        var next = DateTimeOffset.MaxValue;
        foreach (var keys in desired.Accounts.Values)
        {
            foreach (var key in keys)
            {
                if (key.NotAfter is { } notAfter && notAfter > now && notAfter < next)
                {
                    next = notAfter;
                }
                if (key.Options.ExpiryTime(localZone) is { } expiry && expiry > now && expiry < next)
                {
                    next = expiry;
                }
            }
        }
        return next;
    }
}
