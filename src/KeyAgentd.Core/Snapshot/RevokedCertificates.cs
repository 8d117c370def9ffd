using KeyAgentd.Core.Keys;

namespace KeyAgentd.Core.Snapshot;

/// <summary>
/// Certificates one CA issued that the registry revokes, by serial and by key ID (PROTOCOL.krl
/// KRL_SECTION_CERTIFICATES). The CA is given as its full public key because that is what a KRL
/// names it by (krl.c compares the certificate's signature key with sshkey_equal). Revoking the CA
/// itself is a fingerprint on `revoked`, not an entry here.
/// </summary>
public sealed record RevokedCertificates(SshPublicKey Ca, IReadOnlyList<SerialRange> Serials, IReadOnlyList<string> KeyIds)
{
    /// <summary>The longest key ID a certificate can carry here (the decoder's cap).</summary>
    public const int MaxKeyIdLength = 4096;

    /// <summary>"type base64": how the document and the `revoked` file write the CA.</summary>
    public string CaText => $"{Ca.TypeName} {Ca.Base64}";

    /// <summary>
    /// krl.c is_cert_revoked: the key ID matches exactly, or the serial lies in a revoked range
    /// (serial 0 never does). The caller has checked that <paramref name="certificate"/> is this CA's.
    /// </summary>
    public bool Revokes(SshCertificateInfo certificate) => Match(certificate) is not null;

    /// <summary>
    /// The entry that revokes <paramref name="certificate"/>, in krl.c is_cert_revoked's order (the key ID,
    /// then the serial, which is never 0), or null. The caller has checked that it is this CA's certificate.
    /// </summary>
    public RevocationMatch? Match(SshCertificateInfo certificate)
    {
        if (KeyIds.Contains(certificate.KeyId, StringComparer.Ordinal))
        {
            return new RevocationMatch(RevocationRule.KeyId, $"key ID \"{certificate.KeyId}\"");
        }
        if (certificate.Serial == 0)
        {
            return null;
        }
        foreach (var range in Serials.Where(r => r.Contains(certificate.Serial)))
        {
            return range.First == range.Last
                ? new RevocationMatch(RevocationRule.Serial, $"serial {range}")
                : new RevocationMatch(RevocationRule.SerialRange, $"serials {range}");
        }
        return null;
    }

    /// <summary>Why <paramref name="ca"/> cannot name a CA in a revocation, or null: a certificate signs nothing sshd accepts.</summary>
    public static string? CaProblem(SshPublicKey ca) =>
        ca.Type.IsCertificate ? $"{ca.TypeName} is a certificate, not a CA key: give the CA's own public key (the .pub ssh-keygen -s was given)" : null;

    /// <summary>Why <paramref name="keyId"/> cannot be revoked as written, or null.</summary>
    public static string? KeyIdProblem(string keyId) =>
        keyId.Length == 0 ? "the key ID is empty"
        : keyId.Length > MaxKeyIdLength ? $"the key ID is longer than {MaxKeyIdLength} characters"
        : SafeText.ContainsControl(keyId) ? $"the key ID \"{SafeText.Escape(keyId, 80)}\" holds a control character: no reviewer could read it as it is"
        : null;

    /// <summary>
    /// One entry per CA (ordered by the CA's text), its serial ranges merged and its key IDs sorted
    /// and distinct: the same revocations always give the same document and the same KRL.
    /// </summary>
    public static IReadOnlyList<RevokedCertificates> Canonical(IEnumerable<RevokedCertificates> entries) =>
        entries
            .GroupBy(e => e.CaText, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new RevokedCertificates(
                g.First().Ca,
                SerialRange.Merge(g.SelectMany(e => e.Serials)),
                g.SelectMany(e => e.KeyIds).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList()))
            .Where(e => e.Serials.Count > 0 || e.KeyIds.Count > 0)
            .ToList();
}
