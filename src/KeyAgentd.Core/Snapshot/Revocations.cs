using KeyAgentd.Core.Keys;

namespace KeyAgentd.Core.Snapshot;

/// <summary>
/// Everything a snapshot revokes, as the one predicate every consumer applies (the planner's
/// withdrawals, and any line that names a CA): <see cref="IsRevoked"/> mirrors krl.c
/// ssh_krl_check_key, so what keyagentd drops is exactly what sshd refuses through the KRL.
/// </summary>
public sealed class Revocations
{
    public static readonly Revocations None = new([], []);

    private readonly HashSet<string> _fingerprints;
    private readonly Dictionary<string, RevokedCertificates> _certificates;

    public Revocations(IEnumerable<string> fingerprints, IEnumerable<RevokedCertificates> certificates)
    {
        _fingerprints = new HashSet<string>(fingerprints, StringComparer.Ordinal);
        _certificates = RevokedCertificates.Canonical(certificates).ToDictionary(c => c.Ca.Base64, StringComparer.Ordinal);
    }

    public static Revocations From(RegistrySnapshot snapshot) => new(snapshot.Revoked, snapshot.RevokedCertificates);

    public bool IsEmpty => _fingerprints.Count == 0 && _certificates.Count == 0;

    /// <summary>
    /// True when the registry revokes <paramref name="key"/>: a plain key (a person's key, or a CA key
    /// of a cert-authority line) by its fingerprint; a certificate by its certified key's fingerprint,
    /// its CA's fingerprint, or its serial or key ID under that CA.
    /// </summary>
    public bool IsRevoked(SshPublicKey key)
    {
        if (IsEmpty)
        {
            return false;
        }
        if (_fingerprints.Contains(key.Sha256Fingerprint))
        {
            return true;
        }
        if (key.Certificate is not { SignatureKey: { } ca } certificate)
        {
            return false;
        }
        return _fingerprints.Contains(ca.Sha256Fingerprint)
            || _certificates.TryGetValue(ca.Base64, out var revoked) && revoked.Revokes(certificate);
    }
}
