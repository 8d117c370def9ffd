namespace KeyAgentd.Sync;

/// <summary>The stable spellings of <see cref="SyncOutcome"/> (status.json, metrics labels, logs); never rename one.</summary>
public static class SyncOutcomes
{
    public const string NeverRun = "never-run";

    public static string ToName(this SyncOutcome outcome) => outcome switch
    {
        SyncOutcome.Ok => "ok",
        SyncOutcome.Partial => "partial",
        SyncOutcome.Interrupted => "interrupted",
        SyncOutcome.RegistryUnusable => "registry-unusable",
        SyncOutcome.GuardTripped => "guard-tripped",
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, null),
    };
}
