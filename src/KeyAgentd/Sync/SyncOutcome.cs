namespace KeyAgentd.Sync;

/// <summary>How a cycle ended. Its stable spelling (<see cref="SyncOutcomes"/>) is what status, metrics and logs show.</summary>
public enum SyncOutcome
{
    /// <summary>Every managed account holds what the snapshot says.</summary>
    Ok,

    /// <summary>Some accounts were refused or failed (unsafe home, I/O error, damaged block); the others were written.</summary>
    Partial,

    /// <summary>A stop request came mid-cycle: the writes in progress finished, the rest waits for the next start.</summary>
    Interrupted,

    /// <summary>The registry's answer could not be used: the last-known-good snapshot was applied, or nothing at all.</summary>
    RegistryUnusable,

    /// <summary>The mass-removal guard stopped the cycle; nothing was written.</summary>
    GuardTripped,
}
