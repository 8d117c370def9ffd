using KeyAgentd.Core.Snapshot;

namespace KeyAgentd.Core.Source;

/// <summary>
/// What one host's document says, without its metadata: the people granted on it and its accounts,
/// keyed by <see cref="Signature"/> (the set of rules that matched), since every host matched by the
/// same rules gets the same body. Dictionaries are ordinal-sorted so the rendered bytes are stable.
/// </summary>
public sealed record HostBody(
    string Signature,
    SortedDictionary<string, RegistryPerson> People,
    SortedDictionary<string, RegistryAccount> Accounts);
