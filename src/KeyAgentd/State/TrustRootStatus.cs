using System.Text.Json.Serialization;

namespace KeyAgentd.State;

/// <summary>
/// The trust root this host holds, as the last cycle left it, for `status`, `doctor` and the metrics:
/// its version and expiry, who may sign the next root, who may sign snapshots, and the last root refused.
/// Absent from status.json on a host that uses an allowed_signers file instead.
/// </summary>
public sealed record TrustRootStatus
{
    [JsonPropertyName("version")] public long Version { get; init; }

    [JsonPropertyName("expires_at")] public DateTimeOffset ExpiresAt { get; init; }

    /// <summary>The newest root reached has expired: no new snapshot is applied (root-expired) until a successor is published.</summary>
    [JsonPropertyName("expired")] public bool Expired { get; init; }

    [JsonPropertyName("root_threshold")] public int RootThreshold { get; init; }

    [JsonPropertyName("root_principals")] public List<string> RootPrincipals { get; init; } = [];

    [JsonPropertyName("snapshot_threshold")] public int SnapshotThreshold { get; init; }

    /// <summary>The snapshot signers this root names (principals, key type, fingerprint).</summary>
    [JsonPropertyName("snapshot_signers")] public List<SnapshotSigner> SnapshotSigners { get; init; } = [];

    /// <summary>The root principals whose signatures counted when this version was accepted.</summary>
    [JsonPropertyName("signed_by")] public List<string> SignedBy { get; init; } = [];
}

/// <summary>The last root this host refused: which version, the stable reason (root-…), why, and when.</summary>
public sealed record TrustRootRefusal(
    [property: JsonPropertyName("version")] long? Version,
    [property: JsonPropertyName("reason")] string Reason,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("at")] DateTimeOffset At);
