using KeyAgentd.Core.Keys;
using KeyAgentd.Core.Policy;
using KeyAgentd.Core.Snapshot;

namespace KeyAgentd.Core.Planning;

/// <summary>
/// Keys the registry took back on purpose: what the snapshot revokes fleet-wide (<see cref="Revocations"/>:
/// fingerprints on `revoked`, and certificates by CA, serial or key ID) and keys whose entry for an
/// account is past its not_after. Removing them is never held back by the
/// mass-removal guard: "revoke in one place, gone everywhere" must hold on a one-key host too.
/// </summary>
public sealed class Withdrawals
{
    public static readonly Withdrawals None = new(Revocations.None, []);

    private readonly Revocations _revoked;
    private readonly HashSet<(string Account, string Fingerprint)> _expired;

    private Withdrawals(Revocations revoked, HashSet<(string, string)> expired)
    {
        _revoked = revoked;
        _expired = expired;
    }

    public static Withdrawals From(IEnumerable<string> revokedFingerprints, IEnumerable<KeyRejection> rejections) =>
        From(new Revocations(revokedFingerprints, []), rejections);

    public static Withdrawals From(Revocations revoked, IEnumerable<KeyRejection> rejections)
    {
        var expired = new HashSet<(string, string)>();
        foreach (var rejection in rejections)
        {
            if (rejection.Verdict.Reason == ReasonCode.Expired && rejection.Fingerprint is { } fingerprint)
            {
                expired.Add((rejection.Account, fingerprint));
            }
        }
        return new Withdrawals(revoked, expired);
    }

    /// <summary>The snapshot's revocations: <see cref="Revocations.IsRevoked"/>, the one revocation filter.</summary>
    public Revocations Revocations => _revoked;

    public bool IsRevoked(SshPublicKey key) => _revoked.IsRevoked(key);

    /// <summary>Why <paramref name="key"/> left <paramref name="account"/> if the registry withdrew it; otherwise it was simply not granted.</summary>
    public RemovalReason ReasonFor(string account, SshPublicKey key) =>
        IsRevoked(key) ? RemovalReason.Revoked
        : _expired.Count > 0 && _expired.Contains((account, key.Sha256Fingerprint)) ? RemovalReason.Expired
        : RemovalReason.NotGranted;
}
