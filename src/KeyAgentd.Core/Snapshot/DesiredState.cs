namespace KeyAgentd.Core.Snapshot;

/// <summary>
/// What every account named by a snapshot should hold. An account whose keys were all rejected is
/// still present with an empty list: it is managed, so whatever it holds now must go.
/// </summary>
public sealed record DesiredState(
    IReadOnlyDictionary<string, IReadOnlyList<DesiredKey>> Accounts,
    IReadOnlyList<KeyRejection> Rejections);
