using KeyAgentd.Trust.Root;

namespace KeyAgentd.RootRotation;

/// <summary>
/// Makes the root documents the registry side may publish: the first from public keys, the next from the
/// previous one and a set of <see cref="RootChanges"/>. It refuses what its own root keys could not live
/// with (<see cref="TrustRootRules.CheckPublishable"/>, and thresholds that only revoked keys could meet):
/// a root is never written that no host would accept or no holder could succeed. Pure: the clock is a parameter.
/// </summary>
internal static class RootDraft
{
    /// <exception cref="RootRefusedException">No expiry, or the root breaks a rule.</exception>
    public static TrustRootDocument First(IReadOnlyList<RootKey> rootKeys, int rootThreshold, IReadOnlyList<SnapshotSigner> snapshotSigners,
        int snapshotThreshold, DateTimeOffset? expiresAt, DateTimeOffset now, TimeSpan? maxSnapshotValidity = null)
    {
        var expires = expiresAt ?? throw new RootRefusedException(RootRefusal.NoExpiry,
            $"--expires is required: a root must expire (at most {TrustRootRules.MaxLifetime.TotalDays:0} days ahead) so that lost root keys cannot stay trusted for ever");
        var root = new TrustRootDocument(1, expires, rootThreshold, rootKeys, snapshotThreshold, snapshotSigners, [], maxSnapshotValidity);
        CheckPublishable(root, now);
        return root;
    }

    /// <exception cref="RootRefusedException">A change names nothing, adds what is there, changes nothing, or the result breaks a rule.</exception>
    public static TrustRootDocument Next(TrustRootDocument previous, RootChanges changes, DateTimeOffset now)
    {
        var rootKeys = previous.RootKeys.ToList();
        foreach (string selector in changes.RemoveRootKeys)
        {
            if (rootKeys.RemoveAll(k => Selects(selector, k.Principal, k.Key.Sha256Fingerprint)) == 0)
            {
                throw Invalid($"--remove-root-key {selector}: version {previous.Version} has no root key of that principal or fingerprint");
            }
        }
        foreach (var added in changes.AddRootKeys)
        {
            if (rootKeys.Any(k => k.Key.Equals(added.Key)))
            {
                throw Invalid($"--add-root-key {added.Principal}: {added.Key.Sha256Fingerprint} is already a root key");
            }
            rootKeys.Add(added);
        }
        var signers = previous.SnapshotSigners.ToList();
        foreach (string selector in changes.RemoveSnapshotSigners)
        {
            if (signers.RemoveAll(s => s.Principals.Split(',').Any(p => Selects(selector, p, s.Key.Sha256Fingerprint))) == 0)
            {
                throw Invalid($"--remove-snapshot-signer {selector}: version {previous.Version} has no snapshot signer of that principal or fingerprint");
            }
        }
        foreach (var added in changes.AddSnapshotSigners)
        {
            if (signers.Any(s => s.Key.Equals(added.Key)))
            {
                throw Invalid($"--add-snapshot-signer {added.Principals}: {added.Key.Sha256Fingerprint} is already a snapshot signer");
            }
            signers.Add(added);
        }
        var revoked = previous.RevokedSigners.ToList();
        foreach (string fingerprint in changes.RevokeSigners)
        {
            if (!IsFingerprint(fingerprint))
            {
                throw Invalid($"--revoke-signer \"{fingerprint}\" is not a SHA256 key fingerprint (SHA256: and 43 base64 characters, as ssh-keygen -l prints)");
            }
            if (revoked.Contains(fingerprint, StringComparer.Ordinal))
            {
                throw Invalid($"--revoke-signer {fingerprint}: already revoked in version {previous.Version}");
            }
            revoked.Add(fingerprint);
        }
        var next = new TrustRootDocument(previous.Version + 1, changes.ExpiresAt ?? previous.ExpiresAt,
            changes.RootThreshold ?? previous.RootThreshold, rootKeys, changes.SnapshotThreshold ?? previous.SnapshotThreshold,
            signers, revoked, changes.MaxSnapshotValidity is { } validity ? validity.Limit : previous.MaxSnapshotValidity);
        if (TrustRootWriter.Render(next with { Version = previous.Version }).AsSpan().SequenceEqual(TrustRootWriter.Render(previous)))
        {
            throw Invalid($"nothing changes from version {previous.Version}: name a key, a threshold, an expiry or the snapshot validity limit to change");
        }
        CheckPublishable(next, now);
        return next;
    }

    /// <summary><see cref="TrustRootRules.CheckPublishable"/>, and the thresholds met without revoked keys (a revoked key counts for nothing).</summary>
    /// <exception cref="RootRefusedException">Every broken rule, in one message.</exception>
    public static void CheckPublishable(TrustRootDocument root, DateTimeOffset now)
    {
        var problems = TrustRootRules.CheckPublishable(root, now).ToList();
        if (root.RevokedSigners.Count > 0 && problems.Count == 0)
        {
            var withoutRevoked = root with
            {
                RootKeys = [.. root.RootKeys.Where(k => !root.RevokedSigners.Contains(k.Key.Sha256Fingerprint, StringComparer.Ordinal))],
                SnapshotSigners = [.. root.SnapshotSigners.Where(s => !root.RevokedSigners.Contains(s.Key.Sha256Fingerprint, StringComparer.Ordinal))],
            };
            problems.AddRange(TrustRootRules.CheckPublishable(withoutRevoked, now).Select(p => p + " (not counting revoked_signers)"));
        }
        if (problems.Count > 0)
        {
            throw new RootRefusedException(RootRefusal.RulesBroken, $"version {root.Version} would break the root's rules: {string.Join("; ", problems)}");
        }
    }

    public static bool IsFingerprint(string text) =>
        text.StartsWith("SHA256:", StringComparison.Ordinal) && text.Length == 50 && text.AsSpan(7).IndexOfAnyExcept(Base64) < 0;

    private static readonly System.Buffers.SearchValues<char> Base64 =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");

    private static bool Selects(string selector, string principal, string fingerprint) =>
        selector.StartsWith("SHA256:", StringComparison.Ordinal)
            ? string.Equals(selector, fingerprint, StringComparison.Ordinal)
            : string.Equals(selector, principal, StringComparison.Ordinal);

    private static RootRefusedException Invalid(string message) => new(RootRefusal.ChangeInvalid, message);
}
