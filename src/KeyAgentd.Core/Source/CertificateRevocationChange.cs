using KeyAgentd.Core.Snapshot;

namespace KeyAgentd.Core.Source;

/// <summary>
/// One certificate revocation a new document adds (<see cref="Revoked"/>) or lifts, as `diff` shows it:
/// the CA by fingerprint and type, and what is revoked ("serial 10-20", "key-id \"alice@laptop\"").
/// A widened range shows as the old range lifted and the new one revoked.
/// </summary>
public sealed record CertificateRevocationChange(bool Revoked, string CaFingerprint, string CaType, string What)
{
    public static IReadOnlyList<CertificateRevocationChange> Between(RegistrySnapshot? before, RegistrySnapshot? after)
    {
        var old = Items(before);
        var @new = Items(after);
        return @new.Except(old).Select(i => i with { Revoked = true })
            .Concat(old.Except(@new).Select(i => i with { Revoked = false }))
            .OrderBy(c => c.CaFingerprint, StringComparer.Ordinal).ThenBy(c => c.What, StringComparer.Ordinal).ThenBy(c => c.Revoked)
            .ToList();
    }

    private static HashSet<CertificateRevocationChange> Items(RegistrySnapshot? snapshot)
    {
        var items = new HashSet<CertificateRevocationChange>();
        foreach (var entry in snapshot?.RevokedCertificates ?? [])
        {
            foreach (var range in entry.Serials)
            {
                items.Add(new CertificateRevocationChange(true, entry.Ca.Sha256Fingerprint, entry.Ca.TypeName, "serial " + range));
            }
            foreach (string keyId in entry.KeyIds)
            {
                items.Add(new CertificateRevocationChange(true, entry.Ca.Sha256Fingerprint, entry.Ca.TypeName, $"key-id \"{keyId}\""));
            }
        }
        return items;
    }
}
