namespace KeyAgentd.Core.Planning;

/// <summary>How much of an account's authorized_keys keyagentd owns (`Accounts:Mode`).</summary>
public enum OwnershipMode
{
    /// <summary>The whole file: exactly the registry's keys (and break-glass keys), nothing else.</summary>
    Exclusive,

    /// <summary>Only the lines between the markers; the user's own lines are kept byte for byte.</summary>
    ManagedBlock,

    /// <summary>Nothing is written; the difference is only reported.</summary>
    Report,
}
