using KeyAgentd.Core.Codes;

namespace KeyAgentd.RootRotation;

/// <summary>Stable kebab-case names for <see cref="RootRefusal"/>; never rename one.</summary>
internal static class RootRefusals
{
    public static readonly CodeCatalogue<RootRefusal> Catalogue = new(
        (RootRefusal.NoExpiry, "root-no-expiry"),
        (RootRefusal.RulesBroken, "root-rules-broken"),
        (RootRefusal.ChangeInvalid, "root-change-invalid"),
        (RootRefusal.Unreadable, "root-unreadable"),
        (RootRefusal.VersionExists, "root-version-exists"),
        (RootRefusal.SignerNotRootKey, "root-signer-not-root-key"),
        (RootRefusal.AlreadySigned, "root-already-signed"),
        (RootRefusal.StaleSignature, "root-stale-signature"),
        (RootRefusal.PublishedDiffers, "root-published-differs"),
        (RootRefusal.ChainBroken, "root-chain-broken"));

    public static string ToCode(this RootRefusal refusal) => Catalogue.ToCode(refusal);
}
