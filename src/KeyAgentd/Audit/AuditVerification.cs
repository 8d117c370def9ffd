namespace KeyAgentd.Audit;

/// <summary>
/// Result of <see cref="AuditVerifier.Verify"/>. <paramref name="FirstBadLine"/> (1-based) is the first
/// line whose integrity the chain no longer vouches for; null when the log is intact.
/// </summary>
public sealed record AuditVerification(bool Ok, long Records, long? FirstBadLine, string Message);
