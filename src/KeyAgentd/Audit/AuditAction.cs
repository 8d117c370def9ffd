namespace KeyAgentd.Audit;

/// <summary>What an audit record reports; its stable spelling (<see cref="AuditActions"/>) is the record's <c>action</c>.</summary>
public enum AuditAction
{
    KeyAdded,
    KeyRemoved,
    KeyRejected,
    AccountRefused,
    AccountMissing,
    SnapshotAccepted,
    SnapshotRefused,
    GuardTripped,

    /// <summary>A removal over the guard's limits, let through by the snapshot's removal_approval.</summary>
    RemovalApproved,

    /// <summary>An authorized_keys that was a symlink, hard link, FIFO… replaced unread (exclusive mode).</summary>
    FileReplaced,

    /// <summary>
    /// The state directory or its keys/ was found owned by another user, writable by group or others, or
    /// (keys/) not a directory, and was put right (reason <c>state-directory-loose</c>): keyagentd-keys
    /// serves no cache under such a directory, as anyone who can write it could plant one.
    /// </summary>
    StateDirectoryRepaired,

    /// <summary>
    /// A cycle was stopped part-way (process killed, crash, power loss, disk full), found by the next one;
    /// the reason says what was made good (<see cref="AuditResumedReason"/>).
    /// </summary>
    AuditResumed,

    /// <summary>An operator lowered this host's trust by hand; the reason says how (<see cref="TrustResetReason"/>).</summary>
    TrustReset,

    /// <summary>A trust root version was accepted (bootstrap, `trust init`, or the next version at a poll) and kept; <c>root_version</c> says which.</summary>
    RootAccepted,

    /// <summary>A trust root version was refused and nothing changed; the reason is a root code (root-threshold-not-met, root-rollback…).</summary>
    RootRefused,
}
