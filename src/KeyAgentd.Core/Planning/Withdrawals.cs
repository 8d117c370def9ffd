using KeyAgentd.Core.Keys;
using KeyAgentd.Core.Policy;
using KeyAgentd.Core.Snapshot;

namespace KeyAgentd.Core.Planning;

/// <summary>
/// Keys the registry took back on purpose: fingerprints on the snapshot's `revoked` list (fleet-wide)
/// and keys whose entry for an account is past its not_after. Removing them is never held back by the
/// mass-removal guard: "revoke in one place, gone everywhere" must hold on a one-key host too.
/// </summary>
public sealed class Withdrawals
{
    public static readonly Withdrawals None = new([], []);

    private readonly HashSet<string> _revoked;
    private readonly HashSet<(string Account, string Fingerprint)> _expired;

    private Withdrawals(HashSet<string> revoked, HashSet<(string, string)> expired)
    {
        _revoked = revoked;
        _expired = expired;
    }

    public static Withdrawals From(IEnumerable<string> revokedFingerprints, IEnumerable<KeyRejection> rejections)
    {
        var expired = new HashSet<(string, string)>();
        foreach (var rejection in rejections)
        {
            if (rejection.Verdict.Reason == ReasonCode.Expired && rejection.Fingerprint is { } fingerprint)
            {
                expired.Add((rejection.Account, fingerprint));
            }
        }
        return new Withdrawals(new HashSet<string>(revokedFingerprints, StringComparer.Ordinal), expired);
    }

    public bool IsRevoked(SshPublicKey key) => _revoked.Count > 0 && _revoked.Contains(key.Sha256Fingerprint);

    /// <summary>Why <paramref name="key"/> left <paramref name="account"/> if the registry withdrew it; otherwise it was simply not granted.</summary>
    public RemovalReason ReasonFor(string account, SshPublicKey key) =>
        IsRevoked(key) ? RemovalReason.Revoked
        : _expired.Count > 0 && _expired.Contains((account, key.Sha256Fingerprint)) ? RemovalReason.Expired
        : RemovalReason.NotGranted;
}
