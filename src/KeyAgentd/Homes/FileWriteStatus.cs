namespace KeyAgentd.Homes;

public enum FileWriteStatus
{
    Written,

    /// <summary>The file already had these bytes, mode 0600 and the right owner: nothing was touched.</summary>
    Unchanged,
    Refused,
}
