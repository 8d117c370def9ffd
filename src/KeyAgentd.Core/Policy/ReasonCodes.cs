using KeyAgentd.Core.Codes;

namespace KeyAgentd.Core.Policy;

/// <summary>Stable kebab-case names for <see cref="ReasonCode"/>; never rename one.</summary>
public static class ReasonCodes
{
    public static readonly CodeCatalogue<ReasonCode> Catalogue = new(
        (ReasonCode.Accepted, "accepted"),
        (ReasonCode.ControlCharacter, "control-character"),
        (ReasonCode.LineTooLong, "line-too-long"),
        (ReasonCode.MissingKey, "missing-key"),
        (ReasonCode.MalformedOptions, "malformed-options"),
        (ReasonCode.PrivateKey, "private-key"),
        (ReasonCode.NeedsConversion, "needs-conversion"),
        (ReasonCode.UnknownKeyType, "unknown-key-type"),
        (ReasonCode.BadBase64, "bad-base64"),
        (ReasonCode.TruncatedBlob, "truncated-blob"),
        (ReasonCode.TrailingBytes, "trailing-bytes"),
        (ReasonCode.TypeMismatch, "type-mismatch"),
        (ReasonCode.InvalidKey, "invalid-key"),
        (ReasonCode.CertificateNotAllowed, "certificate-not-allowed"),
        (ReasonCode.DsaNotAllowed, "dsa-not-allowed"),
        (ReasonCode.KeyTypeNotAllowed, "key-type-not-allowed"),
        (ReasonCode.RsaTooSmall, "rsa-too-small"),
        (ReasonCode.OptionNotAllowed, "option-not-allowed"),
        (ReasonCode.Revoked, "revoked"),
        (ReasonCode.Expired, "expired"),
        (ReasonCode.UnknownPerson, "unknown-person"),
        (ReasonCode.InvalidAccountName, "invalid-account-name"),
        (ReasonCode.OptionWidensRule, "option-widens-rule"),
        (ReasonCode.InvalidPrincipal, "invalid-principal"));

    public static string ToCode(this ReasonCode reason) => Catalogue.ToCode(reason);

    public static bool TryParse(string code, out ReasonCode reason) => Catalogue.TryParse(code, out reason);
}
