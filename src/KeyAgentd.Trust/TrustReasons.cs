using KeyAgentd.Core.Codes;

namespace KeyAgentd.Trust;

/// <summary>Stable kebab-case names for <see cref="TrustReason"/>; never rename one.</summary>
public static class TrustReasons
{
    public static readonly CodeCatalogue<TrustReason> Catalogue = new(
        (TrustReason.Accepted, "accepted"),
        (TrustReason.SignatureMissing, "signature-missing"),
        (TrustReason.SignatureMalformed, "signature-malformed"),
        (TrustReason.SignatureInvalid, "signature-invalid"),
        (TrustReason.SignerUnknown, "signer-unknown"),
        (TrustReason.SignerNotYetValid, "signer-not-yet-valid"),
        (TrustReason.SignerExpired, "signer-expired"),
        (TrustReason.SignerRevoked, "signer-revoked"),
        (TrustReason.NamespaceMismatch, "namespace-mismatch"),
        (TrustReason.ThresholdNotMet, "threshold-not-met"),
        (TrustReason.SignerLineInvalid, "signer-line-invalid"));

    public static string ToCode(this TrustReason reason) => Catalogue.ToCode(reason);

    public static bool TryParse(string code, out TrustReason reason) => Catalogue.TryParse(code, out reason);
}
