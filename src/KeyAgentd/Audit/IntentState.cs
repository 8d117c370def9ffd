namespace KeyAgentd.Audit;

/// <summary>Where the cycle's intent stands when the log is appended to.</summary>
internal enum IntentState
{
    /// <summary>No intent to act on.</summary>
    Absent,

    /// <summary>A settle found an intent whose outcome was never recorded.</summary>
    Unconfirmed,

    /// <summary>This instance stated the intent, and the records being appended are its outcome.</summary>
    Confirmed,
}
