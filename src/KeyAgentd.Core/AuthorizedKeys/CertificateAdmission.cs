namespace KeyAgentd.Core.AuthorizedKeys;

/// <summary>What sshd decides about a user certificate offered for an account; the stable spelling is <see cref="CertificateAdmissions"/>.</summary>
public enum CertificateAdmission
{
    Admitted,
    NotACertificate,
    NotAUserCertificate,
    CaNotAdmitted,
    CaGrantExpired,
    PrincipalNotAdmitted,
    NotYetValid,
    Expired,
    Revoked,
}
