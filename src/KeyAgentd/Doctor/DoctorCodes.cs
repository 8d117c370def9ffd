namespace KeyAgentd.Doctor;

/// <summary>
/// The stable codes `doctor` puts in front of a problem that is not a key's verdict (README "doctor"):
/// monitoring and runbooks match on them, so never rename one.
/// </summary>
public static class DoctorCodes
{
    /// <summary>sshd's RevokedKeys names a file that does not exist: sshd refuses every public key.</summary>
    public const string KrlMissing = "sshd-krl-missing";

    /// <summary>sshd's RevokedKeys file (or a directory above it) could be rewritten by someone other than root, or is no regular file.</summary>
    public const string KrlUnsafe = "sshd-krl-unsafe";

    /// <summary>sshd reads revocations from another file than the one keyagentd writes (Sshd:RevokedKeysFile).</summary>
    public const string KrlElsewhere = "sshd-krl-elsewhere";

    /// <summary>sshd's AuthorizedKeysCommand does not exist or is not executable: it yields no key.</summary>
    public const string CommandMissing = "sshd-command-missing";

    /// <summary>sshd's AuthorizedKeysCommand fails sshd's own safe_path rule (not absolute, not root-owned, group/world-writable path): sshd refuses to run it.</summary>
    public const string CommandUnsafe = "sshd-command-unsafe";

    /// <summary>A file sshd's AuthorizedKeysFile names is writable by others or no regular file: StrictModes ignores it.</summary>
    public const string KeysFileUnsafe = "sshd-keys-file-unsafe";

    /// <summary>AuthorizedKeysFile none while keyagentd delivers keys in files: sshd never reads what keyagentd writes.</summary>
    public const string KeysFileUnread = "sshd-keys-file-unread";

    /// <summary>The last sync cycle did not end ok (its outcome follows, e.g. registry-unusable).</summary>
    public const string LastSyncFailed = "last-sync-failed";

    /// <summary>No cycle has completed within twice Registry:PollInterval (plus Registry:Jitter): the daemon is not syncing.</summary>
    public const string SyncOverdue = "sync-overdue";

    /// <summary>No cycle has ever run on this host.</summary>
    public const string NeverSynced = "never-synced";
}
