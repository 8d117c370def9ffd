using KeyAgentd.Core.Codes;

namespace KeyAgentd.Core.Snapshot;

/// <summary>Stable kebab-case names for <see cref="RevocationRule"/> (doctor USER --certificate); never rename one.</summary>
public static class RevocationRules
{
    public static readonly CodeCatalogue<RevocationRule> Catalogue = new(
        (RevocationRule.KeyId, "key-id"),
        (RevocationRule.Serial, "serial"),
        (RevocationRule.SerialRange, "serial-range"),
        (RevocationRule.Key, "key"),
        (RevocationRule.Ca, "ca"));

    public static string ToCode(this RevocationRule rule) => Catalogue.ToCode(rule);
}
