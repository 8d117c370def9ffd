namespace KeyAgentd.Trust;

/// <summary>Stable kebab-case names for <see cref="TrustReason"/>; never rename one.</summary>
public static class TrustReasons
{
    public static string ToCode(this TrustReason reason) => reason switch
    {
        TrustReason.Accepted => "accepted",
        TrustReason.SignatureMissing => "signature-missing",
        TrustReason.SignatureMalformed => "signature-malformed",
        TrustReason.SignatureInvalid => "signature-invalid",
        TrustReason.SignerUnknown => "signer-unknown",
        TrustReason.SignerNotYetValid => "signer-not-yet-valid",
        TrustReason.SignerExpired => "signer-expired",
        TrustReason.SignerRevoked => "signer-revoked",
        TrustReason.NamespaceMismatch => "namespace-mismatch",
        TrustReason.ThresholdNotMet => "threshold-not-met",
        TrustReason.SignerLineInvalid => "signer-line-invalid",
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, null),
    };

    public static bool TryParse(string code, out TrustReason reason)
    {
        foreach (var value in Enum.GetValues<TrustReason>())
        {
            if (value.ToCode() == code)
            {
                reason = value;
                return true;
            }
        }
        reason = default;
        return false;
    }
}
