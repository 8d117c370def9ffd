using KeyAgentd.Core.Codes;

namespace KeyAgentd.Core.AuthorizedKeys;

/// <summary>Stable kebab-case names for <see cref="CertificateAdmission"/> (doctor USER --certificate); never rename one.</summary>
public static class CertificateAdmissions
{
    public static readonly CodeCatalogue<CertificateAdmission> Catalogue = new(
        (CertificateAdmission.Admitted, "certificate-admitted"),
        (CertificateAdmission.NotACertificate, "not-a-certificate"),
        (CertificateAdmission.NotAUserCertificate, "not-a-user-certificate"),
        (CertificateAdmission.CaNotAdmitted, "ca-not-admitted"),
        (CertificateAdmission.CaGrantExpired, "ca-grant-expired"),
        (CertificateAdmission.PrincipalNotAdmitted, "principal-not-admitted"),
        (CertificateAdmission.NotYetValid, "certificate-not-yet-valid"),
        (CertificateAdmission.Expired, "certificate-expired"),
        (CertificateAdmission.Revoked, "certificate-revoked"));

    public static string ToCode(this CertificateAdmission admission) => Catalogue.ToCode(admission);
}
