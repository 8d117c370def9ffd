using System.Text.Json.Serialization;
using KeyAgentd.Sync;

namespace KeyAgentd.State;

/// <summary>
/// What the last cycle did, persisted as state-dir/status.json for `keyagentd status`, the metrics
/// textfile and operators' own tooling. Registry error counters survive restarts here.
/// </summary>
public sealed class SyncStatus
{
    [JsonPropertyName("last_attempt")] public DateTimeOffset? LastAttempt { get; set; }

    [JsonPropertyName("last_success")] public DateTimeOffset? LastSuccess { get; set; }

    /// <summary>A stable outcome name (ok, partial, interrupted, registry-unusable, guard-tripped), or never-run.</summary>
    [JsonPropertyName("outcome")] public string Outcome { get; set; } = SyncOutcomes.NeverRun;

    [JsonPropertyName("message")] public string? Message { get; set; }

    [JsonPropertyName("duration_seconds")] public double DurationSeconds { get; set; }

    [JsonPropertyName("registry")] public string? Registry { get; set; }

    [JsonPropertyName("etag")] public string? ETag { get; set; }

    [JsonPropertyName("snapshot_serial")] public long? SnapshotSerial { get; set; }

    [JsonPropertyName("snapshot_issued_at")] public DateTimeOffset? SnapshotIssuedAt { get; set; }

    [JsonPropertyName("snapshot_expires_at")] public DateTimeOffset? SnapshotExpiresAt { get; set; }

    [JsonPropertyName("snapshot_accepted_at")] public DateTimeOffset? SnapshotAcceptedAt { get; set; }

    [JsonPropertyName("account_keys")] public SortedDictionary<string, int> AccountKeys { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Accounts the last cycle could not bring in line, with the stable code of why.</summary>
    [JsonPropertyName("account_failures")] public SortedDictionary<string, AccountFailure> AccountFailures { get; set; } = new(StringComparer.Ordinal);

    [JsonPropertyName("accounts_missing")] public List<string> AccountsMissing { get; set; } = [];

    [JsonPropertyName("rejected_keys")] public SortedDictionary<string, int> RejectedKeys { get; set; } = new(StringComparer.Ordinal);

    [JsonPropertyName("registry_errors")] public SortedDictionary<string, long> RegistryErrors { get; set; } = new(StringComparer.Ordinal);

    [JsonPropertyName("last_registry_error")] public string? LastRegistryError { get; set; }

    /// <summary>The stable code of why the last cycle could not use the registry (unreachable, signature-invalid, rollback…), or null when it could.</summary>
    [JsonPropertyName("registry_problem")] public string? RegistryProblem { get; set; }

    /// <summary>Registry:Signatures as resolved this cycle: enforce, report or off.</summary>
    [JsonPropertyName("signatures")] public string? Signatures { get; set; }

    /// <summary>Lines of the trust roots that grant nothing ("FILE:LINE: what is wrong"), as the last cycle read them.</summary>
    [JsonPropertyName("trust_roots_problems")] public List<string> TrustRootsProblems { get; set; } = [];

    /// <summary>Nothing authenticates the registry (signatures off, or no allowed_signers file): warned at every cycle.</summary>
    [JsonPropertyName("unauthenticated")] public bool Unauthenticated { get; set; }

    /// <summary>The signature verdict of the snapshot in use (accepted, a refusal code under report, or unchecked).</summary>
    [JsonPropertyName("signature_verdict")] public string? SignatureVerdict { get; set; }

    /// <summary>Who signed the snapshot in use (the signatures that counted toward the threshold).</summary>
    [JsonPropertyName("snapshot_signers")] public List<SnapshotSigner> SnapshotSigners { get; set; } = [];

    /// <summary>Lower-case hex SHA-256 of the snapshot in use, exactly as fetched (equivocation is judged against it).</summary>
    [JsonPropertyName("snapshot_sha256")] public string? SnapshotSha256 { get; set; }

    /// <summary>The trust root in use (Registry:TrustRootFile / `keyagentd trust init`); null on a host that uses an allowed_signers file.</summary>
    [JsonPropertyName("trust_root")] public TrustRootStatus? TrustRoot { get; set; }

    /// <summary>The reason (root-…) the last cycle refused a trust root version, or null when it refused none.</summary>
    [JsonPropertyName("trust_root_problem")] public string? TrustRootProblem { get; set; }

    /// <summary>The last trust root version refused (kept after a later acceptance, for the record); null if none ever was.</summary>
    [JsonPropertyName("trust_root_last_refusal")] public TrustRootRefusal? TrustRootLastRefusal { get; set; }

    /// <summary>Trust root versions refused, by reason (root-…), counted per cycle that refused one; survives restarts like registry_errors.</summary>
    [JsonPropertyName("trust_root_refusals")] public SortedDictionary<string, long> TrustRootRefusals { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The running daemon's last configuration reload; null since it started.</summary>
    [JsonPropertyName("config_reload")] public ConfigReload? ConfigReload { get; set; }

    /// <summary>The last cycle's seconds per stage, in the order they ran (where a slow cycle spent its time).</summary>
    [JsonPropertyName("stage_seconds")] public Dictionary<string, double> StageSeconds { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Why status.json could not be read (this status then starts empty); never written.</summary>
    [JsonIgnore] public string? Damaged { get; set; }

    /// <summary>The snapshot in use is past its expires_at: trusted still (never empties accounts), but loudly reported.</summary>
    public bool IsStale(DateTimeOffset now) => SnapshotExpiresAt is { } expires && expires <= now;

    public TimeSpan? SnapshotAge(DateTimeOffset now) => SnapshotIssuedAt is { } issued ? now - issued : null;
}
