namespace KeyAgentd.Core.Source;

/// <summary>
/// Flattens groups of people and groups into sets of people. A cycle (a group reaching itself) is
/// reported once, at the group that closes it, and the edge that closes it is ignored.
/// </summary>
internal sealed class GroupResolver
{
    private readonly Dictionary<string, SourceGroup> _groups;
    private readonly Dictionary<string, SortedSet<string>> _members = new(StringComparer.Ordinal);

    public GroupResolver(IReadOnlyList<SourceGroup> groups, List<SourceProblem> problems)
    {
        _groups = new Dictionary<string, SourceGroup>(StringComparer.Ordinal);
        foreach (var group in groups)
        {
            _groups[group.Name] = group;
        }
        var state = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var group in groups)
        {
            Resolve(group.Name, state, [], problems);
        }
    }

    public bool Contains(string group) => _groups.ContainsKey(group);

    public IReadOnlyCollection<string> Members(string group) => _members.TryGetValue(group, out var members) ? members : [];

    private SortedSet<string> Resolve(string name, Dictionary<string, bool> state, List<string> path, List<SourceProblem> problems)
    {
        if (_members.TryGetValue(name, out var done))
        {
            return done;
        }
        var group = _groups[name];
        state[name] = true;
        path.Add(name);
        var members = new SortedSet<string>(group.People.Select(p => p.Name), StringComparer.Ordinal);
        foreach (var inner in group.Groups)
        {
            if (!_groups.ContainsKey(inner.Name))
            {
                continue;
            }
            if (state.TryGetValue(inner.Name, out bool inProgress) && inProgress)
            {
                var cycle = path.SkipWhile(p => p != inner.Name).Append(inner.Name);
                problems.Add(SourceProblem.Error(inner.Location, SourceReason.GroupCycle,
                    $"group cycle: {string.Join(" → ", cycle)}", $"remove \"{inner.Name}\" from the groups of \"{name}\" (or the edge that leads back)"));
                continue;
            }
            members.UnionWith(Resolve(inner.Name, state, path, problems));
        }
        path.RemoveAt(path.Count - 1);
        state[name] = false;
        _members[name] = members;
        return members;
    }
}
