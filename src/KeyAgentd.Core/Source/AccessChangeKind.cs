namespace KeyAgentd.Core.Source;

/// <summary>How a key's reach changes between two documents.</summary>
public enum AccessChangeKind
{
    Gained,
    Lost,

    /// <summary>Lost because the key is on the revoked list or past not_after: never held back by the guard.</summary>
    Withdrawn,
}
