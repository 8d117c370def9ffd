using KeyAgentd.Core.Planning;
using KeyAgentd.Core.Snapshot;

namespace KeyAgentd.Expand;

/// <summary>The snapshot turned into keys per account, and the keys it took back on purpose.</summary>
internal sealed record Expansion(DesiredState Desired, Withdrawals Withdrawn);
