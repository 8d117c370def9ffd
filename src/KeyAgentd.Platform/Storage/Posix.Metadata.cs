using Microsoft.Win32.SafeHandles;
using Mono.Unix.Native;

namespace KeyAgentd.Storage;

/// <summary>stat, ownership and mode, always on the descriptor that was opened, so the answer is about that inode.</summary>
internal static partial class Posix
{
    public static Stat Fstat(SafeFileHandle fd, string path)
    {
        if (Syscall.fstat(Fd(fd), out Stat st) != 0)
        {
            ThrowLastError("fstat", path);
        }
        return st;
    }

    /// <summary>lstat relative to a directory fd; null when the name does not exist.</summary>
    public static Stat? LstatAt(SafeFileHandle directory, string name, string path)
    {
        if (Syscall.fstatat(Fd(directory), name, out Stat st, AtFlags.AT_SYMLINK_NOFOLLOW) == 0)
        {
            return st;
        }
        Errno errno = LastError();
        if (errno == Errno.ENOENT)
        {
            return null;
        }
        Throw(errno, "fstatat", path);
        return null;
    }

    /// <summary>Sets the exact mode: the mode given to open(2) or mkdir(2) is filtered by the umask.</summary>
    public static void Fchmod(SafeFileHandle fd, FilePermissions mode, string path)
    {
        if (Syscall.fchmod(Fd(fd), mode) != 0)
        {
            ThrowLastError("fchmod", path);
        }
    }

    public static void Fchown(SafeFileHandle fd, uint uid, uint gid, string path)
    {
        if (Syscall.fchown(Fd(fd), uid, gid) != 0)
        {
            ThrowLastError("fchown", path);
        }
    }
}
