namespace KeyAgentd.Homes;

public enum FileReadStatus
{
    /// <summary>No ~/.ssh or no authorized_keys: the account has no keys on disk.</summary>
    Missing,
    Ok,
    Refused,
}
