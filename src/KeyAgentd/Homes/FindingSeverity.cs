namespace KeyAgentd.Homes;

public enum FindingSeverity
{
    Ok,

    /// <summary>Works, but is not how keyagentd would leave it (e.g. authorized_keys mode 0644).</summary>
    Warning,

    /// <summary>sshd or keyagentd refuses it: logins with file-based keys, or syncing, fail.</summary>
    Error,
}
