using System.Text.Json.Serialization;

namespace KeyAgentd.State;

/// <summary>
/// What the last cycle did, persisted as state-dir/status.json for `keyagentd status`, the metrics
/// textfile and operators' own tooling. Registry error counters survive restarts here.
/// </summary>
public sealed class SyncStatus
{
    [JsonPropertyName("last_attempt")] public DateTimeOffset? LastAttempt { get; set; }

    [JsonPropertyName("last_success")] public DateTimeOffset? LastSuccess { get; set; }

    /// <summary>ok, partial (some account failed), registry-unusable, guard-tripped, failed.</summary>
    [JsonPropertyName("outcome")] public string Outcome { get; set; } = "never-run";

    [JsonPropertyName("message")] public string? Message { get; set; }

    [JsonPropertyName("exit_code")] public int ExitCode { get; set; }

    [JsonPropertyName("duration_seconds")] public double DurationSeconds { get; set; }

    [JsonPropertyName("registry")] public string? Registry { get; set; }

    [JsonPropertyName("etag")] public string? ETag { get; set; }

    [JsonPropertyName("snapshot_serial")] public long? SnapshotSerial { get; set; }

    [JsonPropertyName("snapshot_issued_at")] public DateTimeOffset? SnapshotIssuedAt { get; set; }

    [JsonPropertyName("snapshot_expires_at")] public DateTimeOffset? SnapshotExpiresAt { get; set; }

    [JsonPropertyName("snapshot_accepted_at")] public DateTimeOffset? SnapshotAcceptedAt { get; set; }

    [JsonPropertyName("account_keys")] public SortedDictionary<string, int> AccountKeys { get; set; } = new(StringComparer.Ordinal);

    [JsonPropertyName("accounts_refused")] public SortedDictionary<string, string> AccountsRefused { get; set; } = new(StringComparer.Ordinal);

    [JsonPropertyName("accounts_missing")] public List<string> AccountsMissing { get; set; } = [];

    [JsonPropertyName("rejected_keys")] public SortedDictionary<string, int> RejectedKeys { get; set; } = new(StringComparer.Ordinal);

    [JsonPropertyName("registry_errors")] public SortedDictionary<string, long> RegistryErrors { get; set; } = new(StringComparer.Ordinal);

    [JsonPropertyName("last_registry_error")] public string? LastRegistryError { get; set; }

    /// <summary>The snapshot in use is past its expires_at: trusted still (never empties accounts), but loudly reported.</summary>
    public bool IsStale(DateTimeOffset now) => SnapshotExpiresAt is { } expires && expires <= now;

    public TimeSpan? SnapshotAge(DateTimeOffset now) => SnapshotIssuedAt is { } issued ? now - issued : null;
}
