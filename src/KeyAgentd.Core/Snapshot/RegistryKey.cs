namespace KeyAgentd.Core.Snapshot;

/// <summary>
/// A key as the registry states it. <see cref="Key"/> is untrusted text (it may be an RFC 4716
/// block pasted into a portal); <see cref="Owner"/> names who holds a key given directly to an
/// account, since such a key has no person to name it. <see cref="Source"/> is audit only: where the
/// registry builder got a key that was not written in its tree (a <c>.keys</c> URL); hosts ignore it.
/// </summary>
public sealed record RegistryKey(string Key, string? Label, DateTimeOffset? NotAfter, string? Owner)
{
    public string? Source { get; init; }
}
