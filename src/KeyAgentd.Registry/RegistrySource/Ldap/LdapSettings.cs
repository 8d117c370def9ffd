using KeyAgentd.Core.Source;

namespace KeyAgentd.RegistrySource.Ldap;

/// <summary>
/// The <c>ldap:</c> section of sources.yaml (README "LDAP source"). Paths are as written; a relative
/// one is taken from the source tree's root when the directory is read.
/// </summary>
internal sealed record LdapSettings(Uri Url, string PeopleBaseDn, SourceLocation Location)
{
    public const string DefaultPeopleFilter = "(objectClass=ldapPublicKey)";
    public const string DefaultGroupsFilter = "(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames)(objectClass=posixGroup))";

    public bool StartTls { get; init; }

    /// <summary>PEM CA certificate(s) the server's certificate must chain to; the system's trust store when absent. Verification is never off.</summary>
    public string? CaFile { get; init; }

    public string? BindDn { get; init; }

    public string? BindPasswordFile { get; init; }

    public string? BindPasswordEnv { get; init; }

    public string PeopleFilter { get; init; } = DefaultPeopleFilter;

    public DirectoryLayout Layout { get; init; } = new();

    public string? GroupsBaseDn { get; init; }

    public string GroupsFilter { get; init; } = DefaultGroupsFilter;

    public bool Merge { get; init; }

    public int PageSize { get; init; } = 500;

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    public bool Secure => StartTls || Url.Scheme == "ldaps";
}
