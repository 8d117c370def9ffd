using KeyAgentd.Core.Codes;

namespace KeyAgentd.Audit;

/// <summary>The stable spellings of <see cref="AuditResumedReason"/>: the <c>reason</c> of audit-resumed records.</summary>
public static class AuditResumedReasons
{
    public static readonly CodeCatalogue<AuditResumedReason> Catalogue = new(
        (AuditResumedReason.TornLine, "torn-line"),
        (AuditResumedReason.HeadBehind, "head-behind"),
        (AuditResumedReason.UnconfirmedChanges, "unconfirmed-changes"));

    public static string ToCode(this AuditResumedReason reason) => Catalogue.ToCode(reason);
}
