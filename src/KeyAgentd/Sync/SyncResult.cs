using KeyAgentd.Core.Planning;

namespace KeyAgentd.Sync;

/// <summary>The outcome of one cycle: the exit code DESIGN.md defines, and what to tell the operator.</summary>
public sealed record SyncResult(int ExitCode, string Outcome, string Summary, SyncPlan? Plan);
