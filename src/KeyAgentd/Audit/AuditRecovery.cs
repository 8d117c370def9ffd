namespace KeyAgentd.Audit;

/// <summary>
/// Decides how an append makes good what a stopped one left, from what the end of the log, the head and
/// the intent say: no I/O, so every combination is tested without a disk. <see cref="AuditLog"/> reads
/// the facts under its lock and carries out the steps.
/// </summary>
internal static class AuditRecovery
{
    /// <summary>How far back from the last line a stale head is looked for.</summary>
    public const long HeadSearchBytes = 1024 * 1024;

    public static AuditRecoveryPlan Decide(AuditLogEnd end, string? head, IntentState intent)
    {
        ArgumentNullException.ThrowIfNull(end);
        var steps = new List<RecoveryStep>();
        if (!AuditChain.IsHash(head))
        {
            head = null;
        }

        long length = end.Length;
        string? last = end.LastLineHash;
        // The head is looked for among the lines that end within HeadSearchBytes of the last one.
        long searchFrom = end.LastLineEnd;
        bool tornIsLast = false;
        if (end.Torn is { } torn)
        {
            if (IsWholeRecord(torn))
            {
                steps.Add(RecoveryStep.EndTornLine);
                last = torn.Sha256;
                searchFrom = end.Length;
                tornIsLast = true;
            }
            else
            {
                steps.Add(RecoveryStep.CutTornLine);
                length = torn.Start;
            }
        }

        string prev;
        int adopted = 0;
        if (length == 0)
        {
            // An empty log with a head was rotated: the chain continues from the head.
            prev = head ?? AuditChain.Genesis;
        }
        else if (head is null || head == last)
        {
            prev = last!;
        }
        else if (end.Head is { } found && found.End > Math.Max(0, searchFrom - HeadSearchBytes))
        {
            adopted = found.LinesAfter + (tornIsLast ? 1 : 0);
            steps.Add(RecoveryStep.AdoptRecordsPastHead);
            prev = last!;
        }
        else
        {
            steps.Add(RecoveryStep.ContinueFromHead);
            prev = head;
        }

        if (intent == IntentState.Unconfirmed)
        {
            steps.Add(RecoveryStep.ReplayIntent);
        }
        if (intent != IntentState.Absent)
        {
            steps.Add(RecoveryStep.RemoveIntent);
        }
        return new AuditRecoveryPlan(steps, prev, adopted);
    }

    /// <summary>Every record is written with its newline; a torn line that parses as one lost only that.</summary>
    private static bool IsWholeRecord(TornLine torn) => torn.Bytes is { } bytes && AuditVerifier.PrevOf(bytes) is not null;
}
