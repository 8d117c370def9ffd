namespace KeyAgentd.Core.Snapshot;

/// <summary>
/// A key as the registry states it. <see cref="Key"/> is untrusted text (it may be an RFC 4716
/// block pasted into a portal); <see cref="Owner"/> names who holds a key given directly to an
/// account, since such a key has no person to name it.
/// </summary>
public sealed record RegistryKey(string Key, string? Label, DateTimeOffset? NotAfter, string? Owner);
