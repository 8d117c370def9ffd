using System.Text.Json.Serialization;

namespace KeyAgentd.Audit;

/// <summary>
/// One change, written as one JSON line of the audit log (snake_case names, nulls omitted).
/// <see cref="Prev"/> is filled in by <see cref="AuditLog"/>; whatever the caller puts there is replaced.
/// </summary>
public sealed record AuditRecord
{
    [JsonConverter(typeof(UtcTimestampJsonConverter))]
    public required DateTimeOffset Time { get; init; }

    public string? Account { get; init; }

    /// <summary>One of <see cref="AuditActions"/>.</summary>
    public required string Action { get; init; }

    public string? Fingerprint { get; init; }

    public string? Type { get; init; }

    public int? Bits { get; init; }

    public string? Owner { get; init; }

    public string? Label { get; init; }

    /// <summary>A stable reason code such as <c>revoked</c> or <c>rsa-too-small</c>.</summary>
    public string? Reason { get; init; }

    public string? Message { get; init; }

    /// <summary>The full raw authorized_keys line of a removed key that the registry does not know, so nothing is lost.</summary>
    public string? Line { get; init; }

    public long? Serial { get; init; }

    public string? Host { get; init; }

    /// <summary>snapshot-accepted: principals of the signatures that counted (allowed_signers' first field).</summary>
    public string[]? Signers { get; init; }

    /// <summary>snapshot-accepted: SHA256 fingerprints of those signers' keys.</summary>
    public string[]? SignerFingerprints { get; init; }

    /// <summary>snapshot-accepted and -refused: lower-case hex SHA-256 of the snapshot bytes.</summary>
    public string? SnapshotSha256 { get; init; }

    /// <summary>root-accepted and -refused: the trust root version accepted or offered.</summary>
    public long? RootVersion { get; init; }

    /// <summary>Lower-case hex SHA-256 of the previous record's line bytes (without the newline); 64 zeros starts a chain.</summary>
    public string? Prev { get; init; }
}
