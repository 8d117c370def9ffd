namespace KeyAgentd.Audit;

/// <summary>
/// What an append does before writing its records, in order, and the hash its first record carries.
/// <paramref name="RecordsPastHead"/> is how many whole records were adopted (with <see cref="RecoveryStep.AdoptRecordsPastHead"/>).
/// </summary>
internal sealed record AuditRecoveryPlan(IReadOnlyList<RecoveryStep> Steps, string Prev, int RecordsPastHead);
