using KeyAgentd.Sync;

namespace KeyAgentd.Cli;

/// <summary>The exit codes README "Commands" documents; scripts and monitoring depend on them.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int Usage = 2;
    public const int RegistryUnusable = 3;
    public const int MassRemovalGuard = 4;

    /// <summary>`sync`'s exit code for how the cycle ended (or, with --dry-run, would end).</summary>
    public static int For(SyncOutcome outcome) => outcome switch
    {
        SyncOutcome.Ok => Ok,
        SyncOutcome.Partial or SyncOutcome.Interrupted => Failed,
        SyncOutcome.RegistryUnusable => RegistryUnusable,
        SyncOutcome.GuardTripped => MassRemovalGuard,
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, null),
    };
}
