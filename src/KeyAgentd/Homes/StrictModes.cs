using KeyAgentd.Accounts;
using KeyAgentd.Storage;
using Mono.Unix.Native;

namespace KeyAgentd.Homes;

/// <summary>
/// The ownership and mode rules, shared by the writer (which refuses) and `doctor` (which
/// reports). They follow sshd's StrictModes (auth_secure_path/safe_path in OpenSSH): a file or
/// directory must be owned by root or the user and not group/world-writable.
/// </summary>
internal static class StrictModes
{
    /// <summary>
    /// An ancestor of the home. sshd stops checking at the home, but keyagentd writes as root:
    /// whoever can rename entries in an ancestor can swap the home under us, so it must be as
    /// safe as the home. The one exception is a root-owned sticky directory such as /var/tmp:
    /// the sticky bit stops other users from renaming or removing entries they do not own, and
    /// the entry below it is checked in turn.
    /// </summary>
    public static FileRefusal? Ancestor(in Stat st, AccountInfo account, string path)
    {
        if (st.st_uid != 0 && st.st_uid != account.Uid)
        {
            return new(FileRefusal.PathWrongOwner, $"{path} (an ancestor of the home) is owned by uid {st.st_uid}, not root or {account.Name}");
        }
        uint bits = Posix.PermissionBits(st);
        bool stickyRootDir = st.st_uid == 0 && (bits & Posix.Sticky) != 0;
        if ((bits & Posix.GroupOrWorldWritable) != 0 && !stickyRootDir)
        {
            return new(FileRefusal.PathWritable, $"{path} (an ancestor of the home) is group/world-writable (mode {Posix.Octal(st)})");
        }
        return null;
    }

    public static FileRefusal? Home(in Stat st, AccountInfo account, string path)
    {
        if (st.st_uid != 0 && st.st_uid != account.Uid)
        {
            return new(FileRefusal.HomeWrongOwner, $"home {path} is owned by uid {st.st_uid}, not {account.Name} ({account.Uid}) or root");
        }
        if ((Posix.PermissionBits(st) & Posix.GroupOrWorldWritable) != 0)
        {
            return new(FileRefusal.HomeWritable, $"home {path} is group/world-writable (mode {Posix.Octal(st)})");
        }
        return null;
    }

    /// <summary>
    /// ~/.ssh must belong to the user (stricter than sshd, which also accepts root): keyagentd
    /// creates it that way, and a root-owned one is someone else's deliberate setup.
    /// A 0755 directory is fine; only group/world-writable is refused.
    /// </summary>
    public static FileRefusal? SshDirectory(in Stat st, AccountInfo account, string path)
    {
        if (!Posix.IsDirectory(st))
        {
            return new(FileRefusal.SshDirNotDirectory, $"{path} is {Posix.Describe(st)}, not a directory");
        }
        if (st.st_uid != account.Uid)
        {
            return new(FileRefusal.SshDirWrongOwner, $"{path} is owned by uid {st.st_uid}, not {account.Name} ({account.Uid})");
        }
        if ((Posix.PermissionBits(st) & Posix.GroupOrWorldWritable) != 0)
        {
            return new(FileRefusal.SshDirWritable, $"{path} is group/world-writable (mode {Posix.Octal(st)})");
        }
        return null;
    }

    /// <summary>
    /// The checks that must pass before authorized_keys is opened at all, so that a hard link
    /// to /etc/shadow, a FIFO or a device never has its content read (or its open side effects run).
    /// </summary>
    public static FileRefusal? KeyFile(in Stat st, AccountInfo account, string path)
    {
        if (Posix.IsSymlink(st))
        {
            return new(FileRefusal.FileSymlink, $"{path} is a symlink");
        }
        if (!Posix.IsRegular(st))
        {
            return new(FileRefusal.FileNotRegular, $"{path} is {Posix.Describe(st)}, not a regular file");
        }
        if (st.st_nlink > 1)
        {
            return new(FileRefusal.FileHardlinked, $"{path} has {st.st_nlink} hard links");
        }
        if (st.st_uid != account.Uid)
        {
            return new(FileRefusal.FileWrongOwner, $"{path} is owned by uid {st.st_uid}, not {account.Name} ({account.Uid})");
        }
        return null;
    }
}
