namespace KeyAgentd.Trust;

/// <summary>
/// Why a signed snapshot, or one signature over it, was accepted or refused. The string form
/// (see <see cref="TrustReasons"/>) is a public, stable interface: audit log, metrics, `registry verify`.
/// </summary>
public enum TrustReason
{
    Accepted,
    SignatureMissing,
    SignatureMalformed,
    SignatureInvalid,
    SignerUnknown,
    SignerNotYetValid,
    SignerExpired,
    SignerRevoked,
    NamespaceMismatch,
    ThresholdNotMet,
    /// <summary>The signer's key is on an allowed_signers line that does not parse (so it grants nothing).</summary>
    SignerLineInvalid,
}
