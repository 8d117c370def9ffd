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
                return tree with { ReadProblems = problems };
            }
        }
        var others = tree.People.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var (people, groups) = DirectoryMapper.Map(answer, settings.Layout, others, problems);
        return DirectoryMerge.Merge(tree, people, groups, settings.Merge, problems);
    }
}
