using System.Globalization;

namespace KeyAgentd.Core.Snapshot;

/// <summary>
/// What a signature binds beyond the keys: which hosts a snapshot is for and how long it is good.
/// Inside the signed bytes, so a mirror cannot replay the web tier's snapshot to the database tier
/// or keep serving an old one forever. Pure: the host's identity and the time are parameters.
/// </summary>
public static class SnapshotBinding
{
    /// <summary>A snapshot without an audience is for every host; host names compare case-insensitively (DNS).</summary>
    public static SnapshotError? CheckAudience(RegistrySnapshot snapshot, string hostName)
    {
        if (snapshot.Audience is not { } audience || IsForHost(audience, hostName))
        {
            return null;
        }
        string listed = string.Join(", ", audience.Take(8).Select(a => SafeText.Escape(a, 64)));
        return new SnapshotError(SnapshotError.AudienceMismatch,
            $"snapshot serial {snapshot.Serial} is for [{listed}], not for this host \"{SafeText.Escape(hostName, 64)}\" (Host:Name)");
    }

    public static bool IsForHost(IReadOnlyList<string> audience, string hostName)
    {
        string host = hostName.ToLowerInvariant();
        return audience.Any(glob => Glob.IsMatch(glob.ToLowerInvariant(), host));
    }

    /// <summary>
    /// The freshness rules a signed snapshot must meet: an expiry (a signature valid forever could be
    /// replayed forever), no longer than Registry:MaxValidity after issued_at (as apt caps Valid-Until),
    /// and not issued in the future beyond Registry:ClockSkew.
    /// </summary>
    public static SnapshotError? CheckValidity(RegistrySnapshot snapshot, SnapshotBindingOptions options, DateTimeOffset now)
    {
        if (snapshot.ExpiresAt is not { } expires)
        {
            return new SnapshotError(SnapshotError.MissingField, "expires_at: required when signatures are checked (Registry:Signatures)");
        }
        if (snapshot.IssuedAt is { } issued && issued > now + options.ClockSkew)
        {
            return new SnapshotError(SnapshotError.IssuedInFuture,
                $"issued_at {Format(issued)} is more than Registry:ClockSkew ({options.ClockSkew}) ahead of this host's clock ({Format(now)})");
        }
        var start = snapshot.IssuedAt ?? now;
        if (expires - start > options.MaxValidity)
        {
            return new SnapshotError(SnapshotError.ValidityTooLong,
                $"valid from {Format(start)} to {Format(expires)}, longer than Registry:MaxValidity ({options.MaxValidity})");
        }
        return null;
    }

    private static string Format(DateTimeOffset when) => when.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
