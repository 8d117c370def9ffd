using KeyAgentd.Trust.Root;

namespace KeyAgentd.RootRotation;

/// <summary>
/// What `root propose` changes between version N and N+1, as the options said it. A key is removed by its
/// principal (every key of that principal) or its SHA256 fingerprint; what is not named stays as it was.
/// </summary>
internal sealed record RootChanges
{
    public IReadOnlyList<RootKey> AddRootKeys { get; init; } = [];

    public IReadOnlyList<string> RemoveRootKeys { get; init; } = [];

    public IReadOnlyList<SnapshotSigner> AddSnapshotSigners { get; init; } = [];

    public IReadOnlyList<string> RemoveSnapshotSigners { get; init; } = [];

    /// <summary>SHA256 fingerprints for revoked_signers.</summary>
    public IReadOnlyList<string> RevokeSigners { get; init; } = [];

    public int? RootThreshold { get; init; }

    public int? SnapshotThreshold { get; init; }

    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>The new max_snapshot_validity_seconds: null leaves it as it was; a change to no value removes the limit.</summary>
    public SnapshotValidityChange? MaxSnapshotValidity { get; init; }
}

/// <summary>`--max-snapshot-validity`: a limit (<paramref name="Limit"/>) or none (null).</summary>
internal sealed record SnapshotValidityChange(TimeSpan? Limit);
