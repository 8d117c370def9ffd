using KeyAgentd.Trust.Root;

namespace KeyAgentd.RootRotation;

/// <summary>One line of what changes between two root versions, for the holders who review before they sign.</summary>
/// <param name="Subject">a principal (or principals) for keys, the fingerprint for revocations, null for thresholds and expiry</param>
/// <param name="Before">the old value (key text, threshold, date), null for an addition</param>
/// <param name="After">the new value, null for a removal</param>
internal sealed record RootChange(RootChangeKind Kind, string? Subject, string? Fingerprint, string? Before, string? After);

internal enum RootChangeKind
{
    Expiry,
    RootThreshold,
    RootKeyAdded,
    RootKeyRemoved,
    SnapshotThreshold,
    SnapshotSignerAdded,
    SnapshotSignerRemoved,
    SnapshotSignerChanged,
    SignerRevoked,
    SignerUnrevoked,
    MaxSnapshotValidity,
}

/// <summary>
/// The difference between root version N and a proposed N+1, keyed by key (a key whose principals or
/// validity changed is one "changed" line, not a removal and an addition). Pure.
/// </summary>
internal static class RootDifference
{
    public static IReadOnlyList<RootChange> Between(TrustRootDocument before, TrustRootDocument after)
    {
        var changes = new List<RootChange>();
        if (before.ExpiresAt != after.ExpiresAt)
        {
            changes.Add(new(RootChangeKind.Expiry, null, null, TrustRootWriter.Date(before.ExpiresAt), TrustRootWriter.Date(after.ExpiresAt)));
        }
        if (before.MaxSnapshotValidity != after.MaxSnapshotValidity)
        {
            changes.Add(new(RootChangeKind.MaxSnapshotValidity, null, null, Seconds(before.MaxSnapshotValidity), Seconds(after.MaxSnapshotValidity)));
        }
        if (before.RootThreshold != after.RootThreshold)
        {
            changes.Add(new(RootChangeKind.RootThreshold, null, null, Number(before.RootThreshold), Number(after.RootThreshold)));
        }
        foreach (var key in before.RootKeys.Where(k => !after.RootKeys.Any(a => a.Key.Equals(k.Key))))
        {
            changes.Add(new(RootChangeKind.RootKeyRemoved, key.Principal, key.Key.Sha256Fingerprint, TrustRootWriter.KeyText(key.Key, key.Comment), null));
        }
        foreach (var key in after.RootKeys.Where(k => !before.RootKeys.Any(b => b.Key.Equals(k.Key))))
        {
            changes.Add(new(RootChangeKind.RootKeyAdded, key.Principal, key.Key.Sha256Fingerprint, null, TrustRootWriter.KeyText(key.Key, key.Comment)));
        }
        if (before.SnapshotThreshold != after.SnapshotThreshold)
        {
            changes.Add(new(RootChangeKind.SnapshotThreshold, null, null, Number(before.SnapshotThreshold), Number(after.SnapshotThreshold)));
        }
        foreach (var signer in before.SnapshotSigners)
        {
            var kept = after.SnapshotSigners.FirstOrDefault(a => a.Key.Equals(signer.Key));
            if (kept is null)
            {
                changes.Add(new(RootChangeKind.SnapshotSignerRemoved, signer.Principals, signer.Key.Sha256Fingerprint, Describe(signer), null));
            }
            else if (Describe(kept) != Describe(signer))
            {
                changes.Add(new(RootChangeKind.SnapshotSignerChanged, kept.Principals, kept.Key.Sha256Fingerprint, Describe(signer), Describe(kept)));
            }
        }
        foreach (var signer in after.SnapshotSigners.Where(s => !before.SnapshotSigners.Any(b => b.Key.Equals(s.Key))))
        {
            changes.Add(new(RootChangeKind.SnapshotSignerAdded, signer.Principals, signer.Key.Sha256Fingerprint, null, Describe(signer)));
        }
        foreach (string fingerprint in after.RevokedSigners.Except(before.RevokedSigners, StringComparer.Ordinal))
        {
            changes.Add(new(RootChangeKind.SignerRevoked, null, fingerprint, null, null));
        }
        foreach (string fingerprint in before.RevokedSigners.Except(after.RevokedSigners, StringComparer.Ordinal))
        {
            changes.Add(new(RootChangeKind.SignerUnrevoked, null, fingerprint, null, null));
        }
        return changes;
    }

    /// <summary>A snapshot signer as a reviewer reads it: principals, key, validity window.</summary>
    public static string Describe(SnapshotSigner signer) =>
        $"{signer.Principals} {TrustRootWriter.KeyText(signer.Key, signer.Comment)}"
        + (signer.ValidAfter is { } a ? $" valid-after={TrustRootWriter.Date(a)}" : "")
        + (signer.ValidBefore is { } b ? $" valid-before={TrustRootWriter.Date(b)}" : "");

    /// <summary>A max_snapshot_validity_seconds as the document writes it, or "none".</summary>
    public static string Seconds(TimeSpan? limit) =>
        limit is { } l ? ((long)l.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture) : "none";

    private static string Number(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
