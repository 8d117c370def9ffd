namespace KeyAgentd.Core.Source;

/// <summary>
/// One entry as an LDAP directory returned it: its DN and the values of the attributes that were asked
/// for. Attribute names are kept lower-case, because LDAP compares them without regard to case.
/// </summary>
public sealed record DirectoryEntry(string Dn, IReadOnlyDictionary<string, IReadOnlyList<string>> Attributes)
{
    public IReadOnlyList<string> Values(string attribute) =>
        Attributes.TryGetValue(attribute.ToLowerInvariant(), out var values) ? values : [];
}
