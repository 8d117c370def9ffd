namespace KeyAgentd.Audit;

/// <summary>What an audit-resumed record says was made good (<see cref="AuditResumedReasons"/>).</summary>
public enum AuditResumedReason
{
    /// <summary>An unterminated last line (an append stopped part-way) was cut off and kept in the record.</summary>
    TornLine,

    /// <summary>Whole records were written but the head not yet updated: the head now covers them.</summary>
    HeadBehind,

    /// <summary>Changes stated before they were made, whose outcome was never recorded: they follow, marked unconfirmed.</summary>
    UnconfirmedChanges,
}
