namespace KeyAgentd.Core.Source;

/// <summary>
/// Adds the directory's people and groups to a source tree. A person defined both in the tree (people/ or
/// sources.yaml) and in the directory is an error, because which one is meant cannot be guessed, unless
/// the operator said <c>merge: true</c>: then the person has the keys of both, each with its own source.
/// A group name in both groups.yaml and the directory is always an error (a prefix keeps them apart).
/// </summary>
public static class DirectoryMerge
{
    public static SourceTree Merge(SourceTree tree, IReadOnlyList<SourcePerson> people, IReadOnlyList<SourceGroup> groups, bool merge, List<SourceProblem> problems)
    {
        var result = tree.People.ToList();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < result.Count; i++)
        {
            index.TryAdd(result[i].Name, i);
        }
        foreach (var person in people)
        {
            if (!index.TryGetValue(person.Name, out int at))
            {
                index[person.Name] = result.Count;
                result.Add(person);
            }
            else if (merge)
            {
                result[at] = result[at] with { Keys = result[at].Keys.Concat(person.Keys).ToList() };
            }
            else
            {
                problems.Add(SourceProblem.Error(person.Location, SourceReason.DuplicatePerson,
                    $"{person.Name} is defined both in the directory and in {result[at].Location}",
                    $"keep one (delete {result[at].Location} or the directory's keys), or set merge: true under ldap: in sources.yaml to give {person.Name} the keys of both"));
            }
        }
        var fileGroups = tree.Groups.GroupBy(g => g.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var allGroups = tree.Groups.ToList();
        foreach (var group in groups)
        {
            if (fileGroups.TryGetValue(group.Name, out var file))
            {
                problems.Add(SourceProblem.Error(group.Location, SourceReason.DuplicateGroup,
                    $"group \"{group.Name}\" is defined both in the directory and in {file.Location}",
                    "rename one, or set ldap.groups.name_prefix in sources.yaml (e.g. \"ldap-\") so the directory's groups have names of their own"));
                continue;
            }
            allGroups.Add(group);
        }
        return tree with { People = result, Groups = allGroups, ReadProblems = problems };
    }
}
