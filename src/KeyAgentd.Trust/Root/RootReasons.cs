using KeyAgentd.Core.Codes;

namespace KeyAgentd.Trust.Root;

/// <summary>Stable kebab-case names for <see cref="RootReason"/>; never rename one.</summary>
public static class RootReasons
{
    public static readonly CodeCatalogue<RootReason> Catalogue = new(
        (RootReason.Accepted, "root-accepted"),
        (RootReason.Malformed, "root-malformed"),
        (RootReason.SignatureInvalid, "root-signature-invalid"),
        (RootReason.ThresholdNotMet, "root-threshold-not-met"),
        (RootReason.VersionSkip, "root-version-skip"),
        (RootReason.Rollback, "root-rollback"),
        (RootReason.Expired, "root-expired"),
        (RootReason.PinMismatch, "root-pin-mismatch"),
        (RootReason.StateLost, "root-state-lost"));

    public static string ToCode(this RootReason reason) => Catalogue.ToCode(reason);

    public static bool TryParse(string code, out RootReason reason) => Catalogue.TryParse(code, out reason);
}
