namespace KeyAgentd.RegistrySource.Ldap;

/// <summary>
/// The directory could not be read. <see cref="Code"/> is stable (unreachable, tls, bind-failed, search-failed,
/// timeout, password, libldap); <see cref="Outage"/> says whether --keep-last-on-source-error may cover for it
/// (a missing password file is a mistake to fix, not an outage to ride out).
/// </summary>
internal sealed class LdapSourceException : Exception
{
    public LdapSourceException(string code, string message, bool outage = true, Exception? inner = null)
        : base(message, inner)
    {
        Code = code;
        Outage = outage;
    }

    public LdapSourceException()
    {
        Code = "unknown";
    }

    public LdapSourceException(string message)
        : base(message)
    {
        Code = "unknown";
    }

    public LdapSourceException(string message, Exception inner)
        : base(message, inner)
    {
        Code = "unknown";
    }

    public string Code { get; }

    public bool Outage { get; } = true;
}
