using KeyAgentd.Core.Snapshot;

namespace KeyAgentd.Core.Planning;

/// <summary>What the planner needs to decide one account: the registry's keys and what is on disk now.</summary>
/// <param name="Desired">The keys the registry grants the account (already judged by policy).</param>
/// <param name="Mode">How much of authorized_keys keyagentd owns.</param>
public sealed record PlanInput(string Account, IReadOnlyList<DesiredKey> Desired, OwnershipMode Mode)
{
    /// <summary>`Accounts:BreakGlass:&lt;user&gt;` lines, always kept (unless revoked).</summary>
    public IReadOnlyList<string> BreakGlass { get; init; } = [];

    public Delivery Delivery { get; init; } = Delivery.AuthorizedKeysFile;

    /// <summary>
    /// authorized_keys as read now; null when there is none. With helper-only delivery it is read (and
    /// given) only while keyagentd's own lines may still be in it, so that they are taken out (see <see cref="FileRetirement"/>).
    /// </summary>
    public string? CurrentFile { get; init; }

    /// <summary>
    /// state-dir/keys/&lt;user&gt; as read now; null when there is none. It is also the record of what
    /// keyagentd last wrote, which tells the user's own lines from ours when a file is adopted.
    /// </summary>
    public string? CurrentCache { get; init; }

    public Withdrawals Withdrawn { get; init; } = Withdrawals.None;
}
