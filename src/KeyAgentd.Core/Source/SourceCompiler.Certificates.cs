using KeyAgentd.Core.Snapshot;

namespace KeyAgentd.Core.Source;

/// <summary>
/// Rules with <c>cas</c>: per account, one <see cref="CertificateAuthorityGrant"/> per CA, whose
/// principals are every such rule's on these hosts. A CA line is one line to sshd, so two rules that
/// give one account different options (or not_after) for one CA are an error, as for keys.
/// </summary>
public sealed partial class SourceCompiler
{
    private Dictionary<string, SourceCertificateAuthority>? _authorities;

    /// <summary>cas.yaml by name; a name defined twice is the reader's error, and the first stands.</summary>
    internal IReadOnlyDictionary<string, SourceCertificateAuthority> CertificateAuthorities =>
        _authorities ??= Source.CertificateAuthorities
            .GroupBy(a => a.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);

    private void AddCertificateGrants(SourceRule rule, SortedDictionary<string, AccountBuilder> accounts)
    {
        var principals = PrincipalsOf(rule);
        foreach (var account in rule.Accounts.Where(a => AccountName.IsValid(a.Name)))
        {
            if (!accounts.TryGetValue(account.Name, out var builder))
            {
                accounts[account.Name] = builder = new AccountBuilder();
            }
            foreach (var reference in rule.CertificateAuthorities)
            {
                if (!CertificateAuthorities.TryGetValue(reference.Name, out var authority))
                {
                    continue;
                }
                if (!builder.Authorities.TryGetValue(authority.Name, out var grant))
                {
                    builder.Authorities[authority.Name] = grant = new AuthorityBuilder(authority, rule);
                }
                else if (!string.Equals(grant.First.Options, rule.Options, StringComparison.Ordinal) || grant.First.NotAfter != rule.NotAfter)
                {
                    Report(SourceProblem.Error(rule.Location, SourceReason.ConflictingOptions,
                        $"account {account.Name} admits CA {authority.Name} with options \"{rule.Options}\"{Until(rule)} here and \"{grant.First.Options}\"{Until(grant.First)} from the rule at {grant.First.Location} on the same hosts",
                        "give both rules the same options and not_after for this CA (sshd applies one line per CA), or grant through different accounts"));
                }
                grant.Principals.UnionWith(principals);
            }
        }
    }

    /// <summary>The principals a certificate rule admits: named directly, and each person's (directly or through groups) principal attribute.</summary>
    internal SortedSet<string> PrincipalsOf(SourceRule rule)
    {
        var principals = new SortedSet<string>(rule.Principals.Select(p => p.Name), StringComparer.Ordinal);
        foreach (string person in GrantedPeople(rule))
        {
            principals.Add(_people[person].CertificatePrincipal);
        }
        return principals;
    }

    private static string Until(SourceRule rule) => rule.NotAfter is { } end ? $" until {SnapshotDocumentWriter.Timestamp(end)}" : "";

    private sealed class AuthorityBuilder(SourceCertificateAuthority authority, SourceRule first)
    {
        public SourceRule First { get; } = first;

        public SortedSet<string> Principals { get; } = new(StringComparer.Ordinal);

        public CertificateAuthorityGrant ToGrant() =>
            new(authority.Name, authority.Key.Line, Principals.ToList(), First.Options, Earlier(authority.NotAfter, First.NotAfter));
    }

    private sealed partial class AccountBuilder
    {
        public SortedDictionary<string, AuthorityBuilder> Authorities { get; } = new(StringComparer.Ordinal);
    }
}
