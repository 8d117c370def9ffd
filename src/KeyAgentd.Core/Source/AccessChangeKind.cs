namespace KeyAgentd.Core.Source;

/// <summary>How a key's reach changes between two documents.</summary>
public enum AccessChangeKind
{
    Gained,
    Lost,

    /// <summary>Lost because the key is on the revoked list or past not_after: never held back by the guard.</summary>
    Withdrawn,

    /// <summary>
    /// The key keeps the account, but the options a host writes for it differ (a restriction dropped or
    /// added, permitopen, from=, expiry-time): a widened restriction is a gain of access, so it is shown.
    /// </summary>
    RestrictionChanged,
}
