using KeyAgentd.Core.Snapshot;

namespace KeyAgentd.Core.Planning;

/// <summary>
/// Everything a cycle does to one account, decided once: which keys are added, kept and removed, and
/// the exact bytes for its authorized_keys (<see cref="FileText"/>) and for the helper's cache
/// (<see cref="CacheText"/>), each null when that file is to be left as it is. Both texts come from
/// one key set with break-glass precedence applied once, so the file and the cache cannot disagree.
/// </summary>
public sealed record AccountPlan(
    string Account,
    OwnershipMode Mode,
    IReadOnlyList<DesiredKey> Added,
    IReadOnlyList<RemovedLine> Removed,
    IReadOnlyList<DesiredKey> Kept)
{
    /// <summary>
    /// The new authorized_keys, or null: report mode, unchanged, or an error. With helper-only delivery,
    /// the file with keyagentd's lines taken out (see <see cref="FileRetirement"/>), or null when nothing of ours is left in it.
    /// </summary>
    public string? FileText { get; init; }

    /// <summary>
    /// With helper-only delivery, the lines taken out of authorized_keys because keyagentd no longer
    /// maintains it (reason <see cref="RemovalReason.DeliveryOff"/>). Not in <see cref="Removed"/>: a key
    /// the registry still grants moves to the helper, so the guard must not weigh it as access lost.
    /// </summary>
    public IReadOnlyList<RemovedLine> Retired { get; init; } = [];

    /// <summary>
    /// With helper-only delivery, true when authorized_keys holds nothing of keyagentd's once this plan is
    /// applied (or never did): the account need not be read again. False in report mode (which writes
    /// nothing) and when the block is damaged (which is left for a person to fix).
    /// </summary>
    public bool FileRetired { get; init; }

    /// <summary>
    /// The keys of the new state-dir/keys/&lt;user&gt; (the state store puts the helper's index line
    /// before them), or null when it already holds them (or report mode). In exclusive mode the very
    /// string <see cref="FileText"/> is: a cycle that rewrites thousands of accounts holds each rendering once.
    /// </summary>
    public string? CacheText { get; init; }

    /// <summary>The managed file differs from what the registry wants: in report mode, the drift that was not fixed.</summary>
    public bool Changed { get; init; }

    /// <summary>Things worth telling the operator that do not stop the plan (an unusable break-glass line).</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>Kept keys whose options on disk differ from the registry's (e.g. a missing from= or expiry-time).</summary>
    public IReadOnlyList<DesiredKey> OptionsChanged { get; init; } = [];

    /// <summary>Set when the file could not be planned safely (a damaged managed block); nothing is written then.</summary>
    public string? Error { get; init; }

    /// <summary>Registry keys the account holds once the plan is applied.</summary>
    public int KeyCount => Kept.Count + Added.Count;
}
