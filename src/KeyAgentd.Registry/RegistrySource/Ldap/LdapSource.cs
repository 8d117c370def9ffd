using KeyAgentd.Core.Source;

namespace KeyAgentd.RegistrySource.Ldap;

/// <summary>
/// Adds the people and groups of the sources.yaml <c>ldap:</c> directory to a source tree. A directory that
/// cannot be read fails the build (a directory outage must never empty a fleet), or, with
/// --keep-last-on-source-error, the previous build's answer is replayed through the same mapping and policy.
/// </summary>
internal static class LdapSource
{
    public static SourceTree Add(SourceTree tree, LdapSettings settings, string sourceRoot, LdapCache? cache, bool keepLast, List<SourceProblem> problems)
    {
        DirectoryAnswer answer;
        try
        {
            answer = new LdapDirectoryReader(settings, sourceRoot).Read();
            cache?.Remember(answer);
        }
        catch (LdapSourceException e)
        {
            string failed = $"LDAP source {settings.Url} failed ({e.Code}): {e.Message}";
            if (keepLast && e.Outage && cache?.Load() is var (last, readAt))
            {
                problems.Add(SourceProblem.Warning(settings.Location, SourceReason.LdapUnavailable,
                    $"{failed}; reusing the directory's answer from the previous build ({last.People.Count} people, {last.Groups.Count} groups, read {readAt})",
                    "people removed from the directory since then keep their access until it answers again; an outage needs nothing"));
                answer = last;
            }
            else
            {
                string why = !keepLast ? "" : !e.Outage ? "; --keep-last-on-source-error covers outages, not this" : $"; the previous build left no LDAP answer to reuse ({cache?.Path})";
                problems.Add(SourceProblem.Error(settings.Location, SourceReason.LdapUnavailable, failed + why,
                    e.Outage ? "bring the directory back or fix ldap: in sources.yaml; or build with --keep-last-on-source-error to reuse the previous build's LDAP people and groups"
                             : "fix ldap: in sources.yaml or the secret it names"));
                return WithPlaceholders(tree, settings) with { ReadProblems = problems };
            }
        }
        var others = tree.People.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var (people, groups) = DirectoryMapper.Map(answer, settings.Layout, others, problems);
        return DirectoryMerge.Merge(tree, people, groups, settings.Merge, problems);
    }

    /// <summary>
    /// The directory's groups, by name only, while it cannot be read: with a name_prefix, the rules naming
    /// them would otherwise add an "unknown-group" error each, burying the one error that matters. Empty,
    /// and the build fails anyway on ldap-unavailable, so nothing is granted through them.
    /// </summary>
    private static SourceTree WithPlaceholders(SourceTree tree, LdapSettings settings)
    {
        string prefix = settings.Layout.GroupPrefix;
        if (prefix.Length == 0)
        {
            return tree;
        }
        var known = tree.Groups.Select(g => g.Name).ToHashSet(StringComparer.Ordinal);
        var named = tree.Rules.SelectMany(r => r.Groups).Concat(tree.Groups.SelectMany(g => g.Groups))
            .Select(g => g.Name).Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && !known.Contains(n)).Distinct(StringComparer.Ordinal);
        return tree with { Groups = tree.Groups.Concat(named.Select(n => new SourceGroup(n, [], [], settings.Location))).ToList() };
    }
}
