namespace KeyAgentd.Core.Snapshot;

/// <summary>
/// The checks that decide whether a well-formed snapshot may replace the last accepted one.
/// An equal serial is fine (the same document fetched again); a lower one is a replay or a
/// misconfigured mirror serving old data, which could resurrect removed keys.
/// </summary>
public static class SnapshotValidator
{
    public static SnapshotError? Check(RegistrySnapshot snapshot, long? lastAcceptedSerial, DateTimeOffset now) =>
        Check(snapshot, lastAcceptedSerial, null, null, now);

    /// <param name="lastAcceptedSha256">SHA-256 (hex) of the last accepted document's bytes, when known.</param>
    /// <param name="sha256">SHA-256 (hex) of this document's bytes.</param>
    public static SnapshotError? Check(RegistrySnapshot snapshot, long? lastAcceptedSerial, string? lastAcceptedSha256, string? sha256, DateTimeOffset now)
    {
        // Two documents under one serial: a signer is compromised or broken, and hosts would disagree
        // about what that serial grants. Neither is applied.
        if (lastAcceptedSerial == snapshot.Serial && lastAcceptedSha256 is not null && sha256 is not null &&
            !string.Equals(lastAcceptedSha256, sha256, StringComparison.OrdinalIgnoreCase))
        {
            return new SnapshotError(SnapshotError.Equivocation,
                $"serial {snapshot.Serial} was already accepted with other content (sha256 {lastAcceptedSha256[..16]}…, now {sha256[..16]}…); two documents under one serial are never applied");
        }
        if (lastAcceptedSerial is { } last && snapshot.Serial < last)
        {
            return new SnapshotError(SnapshotError.Rollback,
                $"serial {snapshot.Serial} is lower than {last}, the highest serial this host accepted (its rollback floor)");
        }
        if (snapshot.ExpiresAt is { } expires && expires <= now)
        {
            return new SnapshotError(SnapshotError.Expired,
                $"snapshot expired at {expires.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z (now {now.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z)");
        }
        return null;
    }
}
