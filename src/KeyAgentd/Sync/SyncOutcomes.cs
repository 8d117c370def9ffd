using KeyAgentd.Core.Codes;

namespace KeyAgentd.Sync;

/// <summary>The stable spellings of <see cref="SyncOutcome"/> (status.json, metrics labels, logs); never rename one.</summary>
public static class SyncOutcomes
{
    public const string NeverRun = "never-run";

    public static readonly CodeCatalogue<SyncOutcome> Catalogue = new(
        (SyncOutcome.Ok, "ok"),
        (SyncOutcome.Partial, "partial"),
        (SyncOutcome.Interrupted, "interrupted"),
        (SyncOutcome.RegistryUnusable, "registry-unusable"),
        (SyncOutcome.GuardTripped, "guard-tripped"));

    public static string ToCode(this SyncOutcome outcome) => Catalogue.ToCode(outcome);
}
