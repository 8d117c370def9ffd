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
    public bool IsRevoked(SshPublicKey key) => Find(key) is not null;

    /// <summary>
    /// The entry that revokes <paramref name="key"/>, or null: for a certificate in krl.c ssh_krl_check_key's
    /// order (its key ID or serial under its CA, then the certified key, then the CA), so the rule named is
    /// the one sshd's KRL check stops at.
    /// </summary>
    public RevocationMatch? Find(SshPublicKey key)
    {
        if (IsEmpty)
        {
            return null;
        }
        var certificate = key.Certificate;
        if (certificate is { SignatureKey: { } ca } && _certificates.TryGetValue(ca.Base64, out var revoked) && revoked.Match(certificate) is { } match)
        {
            return match;
        }
        if (_fingerprints.Contains(key.Sha256Fingerprint))
        {
            return new RevocationMatch(RevocationRule.Key, $"key {key.Sha256Fingerprint}");
        }
        if (certificate?.SignatureKey is { } signer && _fingerprints.Contains(signer.Sha256Fingerprint))
        {
            return new RevocationMatch(RevocationRule.Ca, $"CA {signer.Sha256Fingerprint}");
        }
        return null;
    }
}
