namespace KeyAgentd.Core.Source;

/// <summary>
/// A whole registry source tree as read: people, groups, rules, the inventory (null when there is
/// no hosts.yaml) and the revoked list, with the problems found while reading it.
/// </summary>
public sealed record SourceTree(
    IReadOnlyList<SourcePerson> People,
    IReadOnlyList<SourceGroup> Groups,
    IReadOnlyList<SourceRule> Rules,
    IReadOnlyList<SourceHost>? Hosts,
    IReadOnlyList<RevokedEntry> Revoked)
{
    public IReadOnlyList<SourceProblem> ReadProblems { get; init; } = [];

    /// <summary>The `revoked` file's certificate lines (`serial … ca …`, `key-id … ca …`).</summary>
    public IReadOnlyList<RevokedCertificateEntry> RevokedCertificates { get; init; } = [];

    /// <summary>cas.yaml: the certificate authorities rules may name.</summary>
    public IReadOnlyList<SourceCertificateAuthority> CertificateAuthorities { get; init; } = [];
}
