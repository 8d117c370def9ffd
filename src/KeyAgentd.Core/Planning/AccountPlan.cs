using KeyAgentd.Core.Registry;

namespace KeyAgentd.Core.Planning;

/// <summary>
/// What one account's file needs. <see cref="NewText"/> is the exact bytes to write, or null when
/// nothing is to be written (report mode, an unchanged file, a refusal). <see cref="Changed"/> says
/// the file differs from what the registry wants: in report mode it is the drift that was not fixed.
/// </summary>
public sealed record AccountPlan(
    string Account,
    OwnershipMode Mode,
    IReadOnlyList<DesiredKey> Added,
    IReadOnlyList<RemovedLine> Removed,
    IReadOnlyList<DesiredKey> Kept,
    string? NewText,
    bool Changed)
{
    /// <summary>Things worth telling the operator that do not stop the plan (an unusable break-glass line).</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>Kept keys whose options on disk differ from the registry's (e.g. a missing from= or expiry-time).</summary>
    public IReadOnlyList<DesiredKey> OptionsChanged { get; init; } = [];

    /// <summary>Set when the file could not be planned safely (a damaged managed block); nothing is written then.</summary>
    public string? Error { get; init; }

    /// <summary>Removed lines that granted access: what the mass-removal guard counts.</summary>
    public int RemovedKeyCount => Removed.Count(r => r.Key is not null);
}
