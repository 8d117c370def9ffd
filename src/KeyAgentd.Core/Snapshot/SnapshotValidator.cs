namespace KeyAgentd.Core.Snapshot;

/// <summary>
/// The checks that decide whether a well-formed snapshot may replace the last accepted one.
/// An equal serial is fine (the same document fetched again); a lower one is a replay or a
/// misconfigured mirror serving old data, which could resurrect removed keys.
/// </summary>
public static class SnapshotValidator
{
    public static SnapshotError? Check(RegistrySnapshot snapshot, long? lastAcceptedSerial, DateTimeOffset now)
    {
        if (lastAcceptedSerial is { } last && snapshot.Serial < last)
        {
            return new SnapshotError(SnapshotError.Rollback,
                $"serial {snapshot.Serial} is lower than the last accepted serial {last}; keeping the last-known-good snapshot");
        }
        if (snapshot.ExpiresAt is { } expires && expires <= now)
        {
            return new SnapshotError(SnapshotError.Expired,
                $"snapshot expired at {expires.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z (now {now.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z); keeping the last-known-good snapshot");
        }
        return null;
    }
}
