using KeyAgentd.Core.Codes;

namespace KeyAgentd.Audit;

/// <summary>The stable spellings of <see cref="TrustResetReason"/>; never rename one.</summary>
public static class TrustResetReasons
{
    public static readonly CodeCatalogue<TrustResetReason> Catalogue = new(
        (TrustResetReason.ResetSerial, "reset-serial"),
        (TrustResetReason.AllowUnsigned, "allow-unsigned"),
        (TrustResetReason.ResetRoot, "reset-root"));

    public static string ToCode(this TrustResetReason reason) => Catalogue.ToCode(reason);
}
