namespace KeyAgentd.Audit;

/// <summary>The stable values of <see cref="AuditRecord.Action"/>; never rename one.</summary>
public static class AuditActions
{
    public const string KeyAdded = "key-added";
    public const string KeyRemoved = "key-removed";
    public const string KeyRejected = "key-rejected";
    public const string AccountRefused = "account-refused";
    public const string AccountMissing = "account-missing";
    public const string SnapshotAccepted = "snapshot-accepted";
    public const string SnapshotRefused = "snapshot-refused";
    public const string GuardTripped = "guard-tripped";

    /// <summary>A removal over the guard's limits, let through by the snapshot's removal_approval.</summary>
    public const string RemovalApproved = "removal-approved";

    /// <summary>An authorized_keys that was a symlink, hard link, FIFO… replaced unread (exclusive mode).</summary>
    public const string FileReplaced = "file-replaced";

    /// <summary>
    /// The state directory or its keys/ was found owned by another user, writable by group or others, or
    /// (keys/) not a directory, and was put right (reason <c>state-directory-loose</c>): keyagentd-keys
    /// serves no cache under such a directory, as anyone who can write it could plant one.
    /// </summary>
    public const string StateDirectoryRepaired = "state-directory-repaired";

    /// <summary>
    /// A cycle was stopped part-way (process killed, crash, power loss, disk full), found by the next one:
    /// reason <c>torn-line</c> (an unterminated line, cut off and kept in the record), <c>head-behind</c>
    /// (whole records written, the head not yet updated) or <c>unconfirmed-changes</c> (changes stated
    /// before they were made, whose outcome was never recorded; they follow, marked unconfirmed).
    /// </summary>
    public const string AuditResumed = "audit-resumed";

    /// <summary>
    /// An operator lowered this host's trust by hand: reason <see cref="TrustResetSerial"/> (`keyagentd trust
    /// reset-serial --to N`: the rollback floor set to the record's serial) or <see cref="TrustAllowUnsigned"/>
    /// (`keyagentd trust allow-unsigned`: signatures no longer required by the host's own history).
    /// </summary>
    public const string TrustReset = "trust-reset";

    public const string TrustResetSerial = "reset-serial";

    public const string TrustAllowUnsigned = "allow-unsigned";
}
