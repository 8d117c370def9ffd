using KeyAgentd.Core.Keys;

namespace KeyAgentd.Trust.Root;

/// <summary>
/// One version of the registry's trust root (schema <see cref="Schema"/>): who may sign the next root
/// (<see cref="RootKeys"/>, <see cref="RootThreshold"/> distinct principals) and who may sign per-host
/// snapshots (<see cref="SnapshotSigners"/>, allowed_signers semantics, <see cref="SnapshotThreshold"/>).
/// Signed with SSHSIG under <see cref="Namespace"/>, never the snapshots' namespace, so a snapshot
/// signature can never pass as a root signature or the reverse.
/// </summary>
public sealed record TrustRootDocument(
    long Version,
    DateTimeOffset ExpiresAt,
    int RootThreshold,
    IReadOnlyList<RootKey> RootKeys,
    int SnapshotThreshold,
    IReadOnlyList<SnapshotSigner> SnapshotSigners,
    IReadOnlyList<string> RevokedSigners,
    TimeSpan? MaxSnapshotValidity)
{
    public const string Schema = "keyagentd-root/1";

    /// <summary>The SSHSIG namespace of root signatures (`ssh-keygen -Y sign -n keyagentd-root`).</summary>
    public const string Namespace = "keyagentd-root";
}

/// <summary>A root key held offline by one person (<paramref name="Principal"/>): one principal, one vote.</summary>
public sealed record RootKey(string Principal, SshPublicKey Key, string? Comment);

/// <summary>A key allowed to sign snapshots, as one allowed_signers line: principals and an optional validity window.</summary>
public sealed record SnapshotSigner(string Principals, SshPublicKey Key, DateTimeOffset? ValidAfter, DateTimeOffset? ValidBefore, string? Comment);
