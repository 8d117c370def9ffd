namespace KeyAgentd.Core.Policy;

/// <summary>
/// Why a key line was accepted or rejected. The string form (see <see cref="ReasonCodes"/>)
/// is a public, stable interface: it appears in `check` output, the audit log and metrics.
/// </summary>
public enum ReasonCode
{
    Accepted,

    // Line level.
    ControlCharacter,
    LineTooLong,
    MissingKey,
    MalformedOptions,
    PrivateKey,
    NeedsConversion,

    // Blob level.
    UnknownKeyType,
    BadBase64,
    TruncatedBlob,
    TrailingBytes,
    TypeMismatch,
    InvalidKey,

    // Policy level.
    CertificateNotAllowed,
    DsaNotAllowed,
    KeyTypeNotAllowed,
    RsaTooSmall,
    OptionNotAllowed,
    Revoked,
    Expired,

    // Registry level: the grant or the account, not the key, is what is wrong.
    UnknownPerson,
    InvalidAccountName,

    /// <summary>A key's own option lets through more than its access rule (the account's options) allows.</summary>
    OptionWidensRule,

    /// <summary>A certificate principal sshd could not match as written (a comma, a quote, a blank, none at all).</summary>
    InvalidPrincipal,
}
