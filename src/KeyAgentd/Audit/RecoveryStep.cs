namespace KeyAgentd.Audit;

/// <summary>One thing an append does to make good what an earlier, stopped one left (<see cref="AuditRecovery"/>).</summary>
internal enum RecoveryStep
{
    /// <summary>The torn line is a whole record that lost only its newline: end it and keep it in the chain.</summary>
    EndTornLine,

    /// <summary>The torn line is no record: cut it off, and say so in an audit-resumed torn-line record.</summary>
    CutTornLine,

    /// <summary>Whole records follow the head: continue from the last, and say so in a head-behind record.</summary>
    AdoptRecordsPastHead,

    /// <summary>The head names no line near the end (the log was cut or rewritten): continue from the head, so the verifier still sees the break.</summary>
    ContinueFromHead,

    /// <summary>An intent nobody confirmed: an unconfirmed-changes record, then its records marked unconfirmed.</summary>
    ReplayIntent,

    /// <summary>The intent has served (replayed, or its outcome is what is being appended): delete it.</summary>
    RemoveIntent,
}
