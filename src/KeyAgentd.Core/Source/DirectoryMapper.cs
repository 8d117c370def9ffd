using System.Text.RegularExpressions;

namespace KeyAgentd.Core.Source;

/// <summary>
/// Turns a directory's answer into people and groups. Every key value goes through
/// <see cref="KeysFileParser"/> like a line of a people/*.keys file, so the validator judges it with the
/// same policy; a problem points at <c>ldap:&lt;DN&gt; &lt;attribute&gt;:&lt;n&gt;</c> (the n-th value).
/// Group members are DNs (groupOfNames <c>member</c>, groupOfUniqueNames <c>uniqueMember</c>) or user
/// names (posixGroup <c>memberUid</c>). A member who is not a directory person with keys is left out with
/// one warning per group: groups usually hold many accounts that never log in with SSH.
/// </summary>
public static partial class DirectoryMapper
{
    public static (List<SourcePerson> People, List<SourceGroup> Groups) Map(DirectoryAnswer answer, DirectoryLayout layout,
        IReadOnlySet<string> otherPeople, List<SourceProblem> problems)
    {
        var people = new List<SourcePerson>();
        var byDn = new Dictionary<string, string>(StringComparer.Ordinal);
        var byUid = new Dictionary<string, string>(StringComparer.Ordinal);
        var firstEntry = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in answer.People)
        {
            var location = new SourceLocation(DirectoryLayout.SourceOf(entry.Dn), 0);
            var ids = entry.Values(layout.IdAttribute);
            if (ids.Count != 1)
            {
                problems.Add(SourceProblem.Warning(location, SourceReason.LdapEntry,
                    ids.Count == 0 ? $"the entry has no {layout.IdAttribute}; skipped" : $"the entry has {ids.Count} values of {layout.IdAttribute}; which one names the person is unclear; skipped",
                    $"give the entry exactly one {layout.IdAttribute}, or set ldap.people.id_attribute in sources.yaml"));
                continue;
            }
            string name = ids[0];
            if (!firstEntry.TryAdd(name, entry.Dn))
            {
                problems.Add(SourceProblem.Error(location, SourceReason.DuplicatePerson,
                    $"{layout.IdAttribute} \"{name}\" is also the name of {DirectoryLayout.SourceOf(firstEntry[name])}", "one person, one entry: remove or rename one of them"));
                continue;
            }
            people.Add(new SourcePerson(name, Keys(entry, layout, problems), location));
            byDn[NormalDn(entry.Dn)] = name;
            foreach (string uid in entry.Values("uid").Take(1))
            {
                byUid.TryAdd(uid, name);
            }
        }

        var groupDns = new Dictionary<string, string>(StringComparer.Ordinal);
        var named = new List<(DirectoryEntry Entry, string Name, SourceLocation Location)>();
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in answer.Groups)
        {
            var location = new SourceLocation(DirectoryLayout.SourceOf(entry.Dn), 0);
            if (entry.Values("cn") is not [var cn, ..])
            {
                problems.Add(SourceProblem.Warning(location, SourceReason.LdapEntry, "the group entry has no cn; skipped", "give the group a cn"));
                continue;
            }
            string name = layout.GroupPrefix + cn;
            if (!seen.TryAdd(name, entry.Dn))
            {
                problems.Add(SourceProblem.Error(location, SourceReason.DuplicateGroup, $"group \"{name}\" is also {DirectoryLayout.SourceOf(seen[name])}",
                    "rename one of the groups, or narrow ldap.groups.base_dn or filter"));
                continue;
            }
            groupDns[NormalDn(entry.Dn)] = name;
            named.Add((entry, name, location));
        }

        var groups = new List<SourceGroup>(named.Count);
        foreach (var (entry, name, location) in named)
        {
            var members = new SortedSet<string>(StringComparer.Ordinal);
            var inner = new SortedSet<string>(StringComparer.Ordinal);
            var missing = new List<string>();
            foreach (string value in entry.Values("member").Concat(entry.Values("uniqueMember")))
            {
                string dn = NormalDn(UniqueIdSuffix().Replace(value, ""));
                if (byDn.TryGetValue(dn, out string? person))
                {
                    members.Add(person);
                }
                else if (groupDns.TryGetValue(dn, out string? group))
                {
                    inner.Add(group);
                }
                else
                {
                    missing.Add(value);
                }
            }
            foreach (string uid in entry.Values("memberUid"))
            {
                if (byUid.TryGetValue(uid, out string? person))
                {
                    members.Add(person);
                }
                else if (otherPeople.Contains(uid))
                {
                    // A posixGroup may name someone whose keys live in people/ or sources.yaml: the same name, the same person.
                    members.Add(uid);
                }
                else
                {
                    missing.Add(uid);
                }
            }
            if (missing.Count > 0)
            {
                problems.Add(SourceProblem.Warning(location, SourceReason.LdapEntry,
                    $"{missing.Count} member(s) of group \"{name}\" are not people of the LDAP source, of people/ or of sources.yaml, and are left out (first: {missing[0]})",
                    "nothing, if they have no SSH keys; otherwise widen ldap.people (base_dn, filter) so their entries are read"));
            }
            groups.Add(new SourceGroup(name, members.Select(m => new SourceRef(m, location)).ToList(), inner.Select(g => new SourceRef(g, location)).ToList(), location));
        }
        return (people, groups);
    }

    private static List<SourceKey> Keys(DirectoryEntry entry, DirectoryLayout layout, List<SourceProblem> problems)
    {
        string source = DirectoryLayout.SourceOf(entry.Dn);
        string file = $"{source} {layout.KeyAttribute}";
        var keys = new List<SourceKey>();
        var values = entry.Values(layout.KeyAttribute);
        for (int i = 0; i < values.Count; i++)
        {
            // One value is one key; the parser numbers lines inside the value, so point at the value instead.
            var location = new SourceLocation(file, i + 1);
            int before = problems.Count;
            var parsed = KeysFileParser.Parse(file, values[i], problems);
            for (int p = before; p < problems.Count; p++)
            {
                problems[p] = problems[p] with { Location = location };
            }
            keys.AddRange(parsed.Select(k => k with { Location = location, Source = source }));
        }
        return keys;
    }

    /// <summary>DNs compare without case and without the blanks around separators (uid=Bob, ou=People equals uid=bob,ou=people).</summary>
    public static string NormalDn(string dn) => DnSeparator().Replace(dn.Trim(), "$1").ToLowerInvariant();

    [GeneratedRegex(@"\s*([,=+])\s*")]
    private static partial Regex DnSeparator();

    /// <summary>uniqueMember may carry an optional unique identifier, a bit string after '#' (RFC 4517 Name and Optional UID).</summary>
    [GeneratedRegex(@"#'[01]*'B$")]
    private static partial Regex UniqueIdSuffix();
}
