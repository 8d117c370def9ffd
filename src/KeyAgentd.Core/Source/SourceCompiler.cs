using KeyAgentd.Core.Policy;
using KeyAgentd.Core.Snapshot;

namespace KeyAgentd.Core.Source;

/// <summary>
/// Turns a <see cref="SourceTree"/> into one <see cref="HostBody"/> per host. Construction runs
/// every check that does not depend on a host (<see cref="SourceValidator"/>); <see cref="Compile"/>
/// is memoised by the set of rules a host matches, so ten thousand hosts cost as many bodies as
/// there are distinct rule sets. Pure: no I/O, time is a parameter.
/// </summary>
public sealed partial class SourceCompiler
{
    private readonly SourceTree _source;
    private readonly Dictionary<string, SourcePerson> _people = new(StringComparer.Ordinal);
    private readonly GroupResolver _groups;
    private readonly Dictionary<string, HostBody> _bodies = new(StringComparer.Ordinal);
    private readonly List<SourceProblem> _problems = [];
    private readonly HashSet<(SourceLocation, string)> _reported = [];
    private readonly Dictionary<string, string> _signatures = new(StringComparer.Ordinal);
    private RuleIndex? _rules;
    private bool[]? _matchedRules;
    private bool _everyHostMatched;
    private readonly Dictionary<string, RegistryPerson> _documentPeople = new(StringComparer.Ordinal);

    public SourceCompiler(SourceTree source, KeyPolicy policy, DateTimeOffset now)
    {
        _source = source;
        Policy = policy;
        Now = now;
        foreach (var person in source.People)
        {
            _people.TryAdd(person.Name, person);
        }
        _problems.AddRange(source.ReadProblems);
        _groups = new GroupResolver(source.Groups, _problems);
        Hosts = Inventory(source);
        Revoked = source.Revoked.Select(r => r.Fingerprint).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        RevokedCertificates = Snapshot.RevokedCertificates.Canonical(source.RevokedCertificates.Select(r => r.ToRevocation()));
        new SourceValidator(this).Run();
    }

    public KeyPolicy Policy { get; }

    public DateTimeOffset Now { get; }

    public SourceTree Source => _source;

    /// <summary>hosts.yaml, or without one, the names rules spell out without a wildcard; sorted.</summary>
    public IReadOnlyList<SourceHost> Hosts { get; }

    public IReadOnlyList<string> Revoked { get; }

    /// <summary>The `revoked` file's certificate revocations, one canonical entry per CA: in every document.</summary>
    public IReadOnlyList<RevokedCertificates> RevokedCertificates { get; }

    public IReadOnlyList<SourceProblem> Problems => _problems;

    public bool HasErrors => _problems.Any(p => p.Severity == ProblemSeverity.Error);

    internal IReadOnlyDictionary<string, SourcePerson> People => _people;

    internal GroupResolver Groups => _groups;

    /// <summary>The validator's say on a person's keys: directory keys the policy refuses are left out of the documents.</summary>
    internal void ReplacePerson(SourcePerson person) => _people[person.Name] = person;

    internal void Report(SourceProblem problem)
    {
        if (_reported.Add((problem.Location, problem.Code + "\n" + problem.Message)))
        {
            _problems.Add(problem);
        }
    }

    /// <summary>The indexes of the rules that apply to a host, as the memo key of its body.</summary>
    public string SignatureOf(SourceHost host)
    {
        if (_signatures.TryGetValue(host.Name, out string? known))
        {
            return known;
        }
        _rules ??= new RuleIndex(_source.Rules);
        var matched = _rules.Candidates(host.Name);
        matched.RemoveAll(i => !_source.Rules[i].Matches(host.Name, host.Labels));
        foreach (int i in matched)
        {
            (_matchedRules ??= new bool[_source.Rules.Count])[i] = true;
        }
        return _signatures[host.Name] = string.Join(',', matched);
    }

    /// <summary>Whether the rule at <paramref name="index"/> matches at least one inventory host (every host's rules found once, then remembered).</summary>
    public bool MatchesSomeHost(int index)
    {
        if (!_everyHostMatched)
        {
            foreach (var host in Hosts)
            {
                SignatureOf(host);
            }
            _everyHostMatched = true;
        }
        return _matchedRules is not null && _matchedRules[index];
    }

    /// <summary>The body for hosts outside the inventory: the rules written for every host (hosts: ["*"], no labels).</summary>
    public HostBody CompileDefault() =>
        Compile(string.Join(',', Enumerable.Range(0, _source.Rules.Count).Where(i => _source.Rules[i].MatchesAnyHost)));

    public HostBody Compile(SourceHost host) => Compile(SignatureOf(host));

    public HostBody Compile(string signature)
    {
        if (_bodies.TryGetValue(signature, out var cached))
        {
            return cached;
        }
        var body = Build(signature, RulesOf(signature).ToList());
        _bodies[signature] = body;
        return body;
    }

    private HostBody Build(string signature, List<SourceRule> rules)
    {
        var accounts = new SortedDictionary<string, AccountBuilder>(StringComparer.Ordinal);
        foreach (var rule in rules)
        {
            if (rule.GrantsCertificates)
            {
                AddCertificateGrants(rule, accounts);
                continue;
            }
            var granted = GrantedPeople(rule);
            foreach (var account in rule.Accounts)
            {
                if (!AccountName.IsValid(account.Name))
                {
                    continue;
                }
                if (!accounts.TryGetValue(account.Name, out var builder))
                {
                    accounts[account.Name] = builder = new AccountBuilder();
                }
                if (!builder.TakeKeyRule(rule))
                {
                    Report(SourceProblem.Error(rule.Location, SourceReason.ConflictingOptions,
                        $"account {account.Name} gets options \"{rule.Options}\" here and \"{builder.Options}\" from the rule at {builder.First!.Location} on the same hosts",
                        "give both rules the same options, or grant through different accounts"));
                }
                foreach (string person in granted)
                {
                    if (rule.NotAfter is null)
                    {
                        builder.Grants.Add(person);
                        continue;
                    }
                    // A grant that ends is written as the person's keys on the account with the earlier not_after:
                    // the schema's person keys are shared by every account, so they cannot carry it.
                    foreach (var key in _people[person].Keys)
                    {
                        builder.Add(new RegistryKey(key.Line, key.Label, Earlier(key.NotAfter, rule.NotAfter), person) { Source = key.Source });
                    }
                }
                foreach (var key in rule.Keys)
                {
                    builder.Add(new RegistryKey(key.Line, key.Label, Earlier(key.NotAfter, rule.NotAfter), key.Owner) { Source = key.Source });
                }
            }
        }
        var people = new SortedDictionary<string, RegistryPerson>(StringComparer.Ordinal);
        foreach (string person in accounts.Values.SelectMany(a => a.Grants))
        {
            if (!people.ContainsKey(person))
            {
                // One instance per person, shared by every body: two thousand bodies must not hold two thousand copies.
                if (!_documentPeople.TryGetValue(person, out var entry))
                {
                    _documentPeople[person] = entry = new RegistryPerson(_people[person].Keys.Select(k => new RegistryKey(k.Line, k.Label, k.NotAfter, null) { Source = k.Source }).ToList());
                }
                people[person] = entry;
            }
        }
        var result = new SortedDictionary<string, RegistryAccount>(StringComparer.Ordinal);
        foreach (var (name, builder) in accounts)
        {
            result[name] = new RegistryAccount(builder.Grants.ToList(), builder.Options, builder.Keys)
            {
                CertAuthorities = builder.Authorities.Values.Select(a => a.ToGrant()).ToList(),
            };
        }
        return new HostBody(signature, people, result);
    }

    /// <summary>People named by the rule and by its groups; unknown names are the validator's to report.</summary>
    private SortedSet<string> GrantedPeople(SourceRule rule)
    {
        var granted = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var person in rule.People)
        {
            if (_people.ContainsKey(person.Name))
            {
                granted.Add(person.Name);
            }
        }
        foreach (var group in rule.Groups)
        {
            granted.UnionWith(_groups.Members(group.Name).Where(_people.ContainsKey));
        }
        return granted;
    }

    private static DateTimeOffset? Earlier(DateTimeOffset? a, DateTimeOffset? b) =>
        a is null ? b : b is null ? a : a < b ? a : b;

    private static List<SourceHost> Inventory(SourceTree source)
    {
        if (source.Hosts is { } hosts)
        {
            return hosts.OrderBy(h => h.Name, StringComparer.Ordinal).ToList();
        }
        var named = new SortedDictionary<string, SourceHost>(StringComparer.Ordinal);
        foreach (var glob in source.Rules.SelectMany(r => r.Hosts))
        {
            if (glob.Name.IndexOfAny(['*', '?']) < 0)
            {
                named.TryAdd(glob.Name, new SourceHost(glob.Name, new Dictionary<string, string>(), glob.Location));
            }
        }
        return named.Values.ToList();
    }

    private sealed partial class AccountBuilder
    {
        private readonly HashSet<RegistryKey> _seen = [];

        /// <summary>The first key rule for the account on these hosts: its options are the account's (certificate rules have their own).</summary>
        public SourceRule? First { get; private set; }

        public string? Options => First?.Options;

        /// <returns>False when an earlier key rule gave the account other options.</returns>
        public bool TakeKeyRule(SourceRule rule)
        {
            First ??= rule;
            return string.Equals(Options, rule.Options, StringComparison.Ordinal);
        }

        public SortedSet<string> Grants { get; } = new(StringComparer.Ordinal);

        public List<RegistryKey> Keys { get; } = [];

        public void Add(RegistryKey key)
        {
            if (_seen.Add(key))
            {
                Keys.Add(key);
            }
        }
    }
}
