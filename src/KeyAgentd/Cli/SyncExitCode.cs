using KeyAgentd.Sync;

namespace KeyAgentd.Cli;

/// <summary>`sync`'s exit code for how the cycle ended (or, with --dry-run, would end); the numbers are <see cref="ExitCodes"/>.</summary>
internal static class SyncExitCode
{
    public static int For(SyncOutcome outcome) => outcome switch
    {
        SyncOutcome.Ok => ExitCodes.Ok,
        SyncOutcome.Partial or SyncOutcome.Interrupted => ExitCodes.Failed,
        SyncOutcome.RegistryUnusable => ExitCodes.RegistryUnusable,
        SyncOutcome.GuardTripped => ExitCodes.MassRemovalGuard,
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, null),
    };
}
