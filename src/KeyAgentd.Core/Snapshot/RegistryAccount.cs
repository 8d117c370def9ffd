namespace KeyAgentd.Core.Snapshot;

/// <summary>
/// One local account: the people granted access, options applied to every key it receives
/// (the registry's way to say "deploy only from 10.0.0.0/8"), and keys given to it directly.
/// </summary>
public sealed record RegistryAccount(IReadOnlyList<string> Grants, string? Options, IReadOnlyList<RegistryKey> Keys)
{
    /// <summary>
    /// `cert_authorities`: the CAs whose certificates log in here, each for its principals. Hosts that
    /// predate it ignore the field (unknown fields are ignored), so they admit no certificate: fail closed.
    /// </summary>
    public IReadOnlyList<CertificateAuthorityGrant> CertAuthorities { get; init; } = [];
}
