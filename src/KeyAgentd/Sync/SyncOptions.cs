namespace KeyAgentd.Sync;

/// <param name="DryRun">Compute and show the diff; write nothing (no files, no state, no audit).</param>
/// <param name="Force">Apply even when the mass-removal guard trips.</param>
public sealed record SyncOptions(bool DryRun = false, bool Force = false);
