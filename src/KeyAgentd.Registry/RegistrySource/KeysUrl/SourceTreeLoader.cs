using System.Text;
using KeyAgentd.Core.Source;
using KeyAgentd.RegistrySource.Ldap;

namespace KeyAgentd.RegistrySource.KeysUrl;

/// <summary>
/// The whole source as `registry build` and `validate` see it: the tree's files, plus the people of
/// sources.yaml with their keys fetched, plus the people and groups of its LDAP directory. A person named
/// both in people/ and in sources.yaml is an error: which of the two is meant cannot be guessed.
/// </summary>
internal static class SourceTreeLoader
{
    /// <exception cref="IOException">The tree or one of its files could not be read.</exception>
    /// <param name="keepLast">--keep-last-on-source-error: a failed source is replaced by its answer kept in the state directory</param>
    /// <param name="ldapCache">where the directory's answer is kept between builds (`registry build`); null for `validate`</param>
    /// <param name="keysCache">the `.keys` bodies and ETags kept between builds (`registry build`); null for `validate`</param>
    public static async Task<SourceTree> LoadAsync(string root, Func<HttpClient> client, bool keepLast, CancellationToken cancellationToken,
        LdapCache? ldapCache = null, KeysUrlCache? keysCache = null)
    {
        var tree = SourceTreeReader.Read(root);
        string path = Path.Combine(root, SourcesFile.Name);
        if (!File.Exists(path))
        {
            return tree;
        }
        var problems = tree.ReadProblems.ToList();
        var document = SourcesFile.Parse(await File.ReadAllTextAsync(path, new UTF8Encoding(false), cancellationToken).ConfigureAwait(false), problems);
        var sources = document.KeysUrls;
        var inFiles = tree.People.ToDictionary(p => p.Name, StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var unique = new List<KeysUrlSource>();
        foreach (var source in sources)
        {
            if (inFiles.TryGetValue(source.Person, out var file))
            {
                problems.Add(SourceProblem.Error(source.Location, SourceReason.InvalidValue, $"{source.Person} is defined both here and in {file.Location}",
                    $"keep one: delete {file.Location} or this entry"));
            }
            else if (!seen.Add(source.Person))
            {
                problems.Add(SourceProblem.Error(source.Location, SourceReason.InvalidValue, $"{source.Person} is listed twice", "keep one entry"));
            }
            else
            {
                unique.Add(source);
            }
        }
        if (unique.Count > 0)
        {
            var fetched = await KeysUrlFetcher.FetchAsync(unique, client(), keepLast, problems, cancellationToken, keysCache).ConfigureAwait(false);
            tree = tree with { People = tree.People.Concat(fetched).ToList() };
        }
        tree = tree with { ReadProblems = problems };
        return document.Ldap is { } ldap ? LdapSource.Add(tree, ldap, root, ldapCache, keepLast, problems) : tree;
    }
}
