namespace KeyAgentd.Core.Source;

/// <summary>
/// One access.yaml rule: on the hosts its selector matches (a name glob from <see cref="Hosts"/>,
/// if any, and every label in <see cref="Labels"/>, if any), each of <see cref="Accounts"/> admits the
/// people granted (directly or through groups) and the account keys, with <see cref="Options"/> and
/// until <see cref="NotAfter"/>.
/// </summary>
public sealed record SourceRule(SourceLocation Location)
{
    public IReadOnlyList<SourceRef> Hosts { get; init; } = [];

    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    public IReadOnlyList<SourceRef> Accounts { get; init; } = [];

    public IReadOnlyList<SourceRef> People { get; init; } = [];

    public IReadOnlyList<SourceRef> Groups { get; init; } = [];

    public string? Options { get; init; }

    public SourceLocation OptionsLocation { get; init; }

    public DateTimeOffset? NotAfter { get; init; }

    public IReadOnlyList<SourceKey> Keys { get; init; } = [];

    /// <summary>
    /// `cas`: the certificate authorities (cas.yaml names) whose certificates log in to <see cref="Accounts"/>.
    /// A rule with them grants certificates only: its <see cref="People"/> and <see cref="Groups"/> name
    /// principals (each person's <see cref="SourcePerson.CertificatePrincipal"/>), beside <see cref="Principals"/>.
    /// </summary>
    public IReadOnlyList<SourceRef> CertificateAuthorities { get; init; } = [];

    /// <summary>`principals`: certificate principals named directly (a service, a role).</summary>
    public IReadOnlyList<SourceRef> Principals { get; init; } = [];

    public bool GrantsCertificates => CertificateAuthorities.Count > 0;

    public bool HasSelector => Hosts.Count > 0 || Labels.Count > 0;

    public bool Matches(string host, IReadOnlyDictionary<string, string> labels)
    {
        if (Hosts.Count > 0 && !Hosts.Any(h => Glob.IsMatch(h.Name, host)))
        {
            return false;
        }
        foreach (var (name, value) in Labels)
        {
            if (!labels.TryGetValue(name, out string? actual) || actual != value)
            {
                return false;
            }
        }
        return HasSelector;
    }

    /// <summary>A rule for every host: what the default document (hosts outside the inventory) holds.</summary>
    public bool MatchesAnyHost => Labels.Count == 0 && Hosts.Any(h => h.Name == "*");
}
