using KeyAgentd.Storage;

namespace KeyAgentd.Homes;

/// <summary>
/// Why the writer would not read, write or accept a path. <see cref="Code"/> is a stable,
/// kebab-case string (audit log, metrics and `doctor` output depend on it); <see cref="Message"/>
/// is for humans and names the path involved.
/// </summary>
public sealed record FileRefusal(string Code, string Message)
{
    /// <summary>The home in the account entry is not an absolute, normalized path.</summary>
    public const string HomeInvalid = "home-invalid";
    public const string HomeMissing = "home-missing";
    public const string HomeNotDirectory = "home-not-directory";
    public const string HomeWrongOwner = "home-wrong-owner";
    public const string HomeWritable = "home-writable";

    /// <summary>An ancestor of the home is owned by someone other than root or the user.</summary>
    public const string PathWrongOwner = "path-wrong-owner";

    /// <summary>An ancestor of the home is group/world-writable (without the sticky bit).</summary>
    public const string PathWritable = "path-writable";

    /// <summary>A component of the home path (or the home itself) is a symlink.</summary>
    public const string PathSymlink = "path-symlink";

    /// <summary>Only reported by <see cref="HomeKeyFiles.Inspect"/>: reading treats it as "no keys".</summary>
    public const string SshDirMissing = "ssh-dir-missing";
    public const string SshDirSymlink = "ssh-dir-symlink";
    public const string SshDirNotDirectory = "ssh-dir-not-directory";
    public const string SshDirWrongOwner = "ssh-dir-wrong-owner";
    public const string SshDirWritable = "ssh-dir-writable";

    /// <summary>Only reported by <see cref="HomeKeyFiles.Inspect"/>.</summary>
    public const string FileMissing = "file-missing";
    public const string FileSymlink = "file-symlink";

    /// <summary>A FIFO, socket, device or directory where authorized_keys should be.</summary>
    public const string FileNotRegular = "file-not-regular";

    /// <summary>st_nlink &gt; 1: the name may share its inode with a file elsewhere (/etc/shadow).</summary>
    public const string FileHardlinked = "file-hardlinked";
    public const string FileWrongOwner = "file-wrong-owner";

    /// <summary>Only reported by <see cref="HomeKeyFiles.Inspect"/>: sshd refuses it; a write replaces it.</summary>
    public const string FileWritable = "file-writable";

    /// <summary>Only reported by <see cref="HomeKeyFiles.Inspect"/> (a warning): mode is not 0600.</summary>
    public const string FileMode = "file-mode";
    public const string FileTooLarge = "file-too-large";

    /// <summary>Not root and the account is someone else: the file could not be given to its owner.</summary>
    public const string NeedsRoot = "needs-root";

    /// <summary>
    /// Refusals about the authorized_keys entry itself (not the directories above it). Replacing the
    /// entry by renameat is safe for these — a rename never writes through a link or a special file —
    /// so exclusive mode replaces them instead of letting a user block revocation with `ln -s`.
    /// </summary>
    public static bool IsReplaceableFileProblem(string code) =>
        code is FileSymlink or FileHardlinked or FileNotRegular or FileWrongOwner or FileWritable or FileTooLarge;

    /// <summary>A system call failed; the message carries the errno name, the operation and the path.</summary>
    public const string IoError = "io-error";

    public static FileRefusal IoFailure(PosixException e) => new(IoError, e.Message);

    public override string ToString() => $"{Code}: {Message}";
}
