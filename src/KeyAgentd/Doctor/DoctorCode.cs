namespace KeyAgentd.Doctor;

/// <summary>
/// A problem `doctor` reports that is not a key's verdict (README "doctor"). Its stable spelling
/// (<see cref="DoctorCodes"/>) starts the line: monitoring and runbooks match on it.
/// </summary>
public enum DoctorCode
{
    /// <summary>sshd's RevokedKeys names a file that does not exist: sshd refuses every public key.</summary>
    KrlMissing,

    /// <summary>sshd's RevokedKeys file (or a directory above it) could be rewritten by someone other than root, or is no regular file.</summary>
    KrlUnsafe,

    /// <summary>sshd reads revocations from another file than the one keyagentd writes (Sshd:RevokedKeysFile).</summary>
    KrlElsewhere,

    /// <summary>sshd's AuthorizedKeysCommand does not exist or is not executable: it yields no key.</summary>
    CommandMissing,

    /// <summary>sshd's AuthorizedKeysCommand fails sshd's own safe_path rule (not absolute, not root-owned, group/world-writable path): sshd refuses to run it.</summary>
    CommandUnsafe,

    /// <summary>A file sshd's AuthorizedKeysFile names is writable by others or no regular file: StrictModes ignores it.</summary>
    KeysFileUnsafe,

    /// <summary>AuthorizedKeysFile none while keyagentd delivers keys in files: sshd never reads what keyagentd writes.</summary>
    KeysFileUnread,

    /// <summary>The last sync cycle did not end ok (its outcome follows, e.g. registry-unusable).</summary>
    LastSyncFailed,

    /// <summary>No cycle has completed within twice Registry:PollInterval (plus Registry:Jitter): the daemon is not syncing.</summary>
    SyncOverdue,

    /// <summary>No cycle has ever run on this host.</summary>
    NeverSynced,
}
