using KeyAgentd.Core.Codes;

namespace KeyAgentd.Audit;

/// <summary>The stable values of <see cref="AuditRecord.Action"/>; never rename one.</summary>
public static class AuditActions
{
    public static readonly CodeCatalogue<AuditAction> Catalogue = new(
        (AuditAction.KeyAdded, "key-added"),
        (AuditAction.KeyRemoved, "key-removed"),
        (AuditAction.KeyRejected, "key-rejected"),
        (AuditAction.AccountRefused, "account-refused"),
        (AuditAction.AccountMissing, "account-missing"),
        (AuditAction.SnapshotAccepted, "snapshot-accepted"),
        (AuditAction.SnapshotRefused, "snapshot-refused"),
        (AuditAction.GuardTripped, "guard-tripped"),
        (AuditAction.RemovalApproved, "removal-approved"),
        (AuditAction.FileReplaced, "file-replaced"),
        (AuditAction.StateDirectoryRepaired, "state-directory-repaired"),
        (AuditAction.AuditResumed, "audit-resumed"),
        (AuditAction.TrustReset, "trust-reset"),
        (AuditAction.RootAccepted, "root-accepted"),
        (AuditAction.RootRefused, "root-refused"));

    public static string ToCode(this AuditAction action) => Catalogue.ToCode(action);

    /// <summary>False for an action this version does not know (a log written by another version, or edited).</summary>
    public static bool TryParse(string? code, out AuditAction action) => Catalogue.TryParse(code, out action);
}
