namespace KeyAgentd.Core.Source;

/// <summary>
/// Which rules can match a host name, found without trying every rule on every host (100,000 hosts ×
/// 2,000 rules was most of a large build). A host glob can only match a name that starts with its
/// literal prefix (the characters before its first '*' or '?'), so a rule whose every host pattern has
/// a prefix is filed under those prefixes and tried only on names that start with one; a rule with a
/// pattern that starts with a wildcard, or selected by labels alone, is tried on every host. The index
/// only narrows: <see cref="SourceRule.Matches"/> still decides every candidate.
/// </summary>
public sealed class RuleIndex
{
    private readonly List<int> _everyHost = [];
    private readonly Dictionary<string, List<int>> _byPrefix = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<int>>.AlternateLookup<ReadOnlySpan<char>> _byPrefixSpan;
    private readonly int _longestPrefix;

    public RuleIndex(IReadOnlyList<SourceRule> rules)
    {
        _byPrefixSpan = _byPrefix.GetAlternateLookup<ReadOnlySpan<char>>();
        for (int i = 0; i < rules.Count; i++)
        {
            var prefixes = rules[i].Hosts.Select(h => LiteralPrefix(h.Name)).ToList();
            if (prefixes.Count == 0 || prefixes.Any(p => p.Length == 0))
            {
                _everyHost.Add(i);
                continue;
            }
            foreach (string prefix in prefixes.Distinct(StringComparer.Ordinal))
            {
                if (!_byPrefix.TryGetValue(prefix, out var list))
                {
                    _byPrefix[prefix] = list = [];
                }
                list.Add(i);
                _longestPrefix = Math.Max(_longestPrefix, prefix.Length);
            }
        }
    }

    /// <summary>The indexes of the rules that may match <paramref name="host"/>, ascending, each once.</summary>
    public List<int> Candidates(string host)
    {
        var candidates = new List<int>(_everyHost);
        int before = candidates.Count;
        for (int length = 1; length <= Math.Min(host.Length, _longestPrefix); length++)
        {
            if (_byPrefixSpan.TryGetValue(host.AsSpan(0, length), out var rules))
            {
                candidates.AddRange(rules);
            }
        }
        if (candidates.Count > before)
        {
            candidates.Sort();
            int kept = 1;
            for (int i = 1; i < candidates.Count; i++)
            {
                if (candidates[i] != candidates[kept - 1])
                {
                    candidates[kept++] = candidates[i];
                }
            }
            candidates.RemoveRange(kept, candidates.Count - kept);
        }
        return candidates;
    }

    /// <summary>The characters before the first wildcard: every name the glob matches starts with them.</summary>
    public static string LiteralPrefix(string pattern)
    {
        int wildcard = pattern.AsSpan().IndexOfAny('*', '?');
        return wildcard < 0 ? pattern : pattern[..wildcard];
    }
}
