using Microsoft.Win32.SafeHandles;
using Mono.Unix.Native;

namespace KeyAgentd.Storage;

/// <summary>Directory entries: create, remove, rename, all relative to a directory descriptor; plus the one path-based mkdir -p.</summary>
internal static partial class Posix
{
    /// <summary>mkdirat; false when the name already exists (whatever it is: the caller opens and checks it).</summary>
    public static bool MkdirAt(SafeFileHandle directory, string name, FilePermissions mode, string path)
    {
        if (Syscall.mkdirat(Fd(directory), name, mode) == 0)
        {
            return true;
        }
        Errno errno = LastError();
        if (errno != Errno.EEXIST)
        {
            Throw(errno, "mkdirat", path);
        }
        return false;
    }

    /// <summary>unlinkat that treats "already gone" as success.</summary>
    public static void UnlinkIfPresent(SafeFileHandle directory, string name, string path)
    {
        if (Syscall.unlinkat(Fd(directory), name, 0) != 0 && LastError() is var errno && errno != Errno.ENOENT)
        {
            Throw(errno, "unlinkat", path);
        }
    }

    /// <summary>unlinkat(AT_REMOVEDIR) of an empty directory.</summary>
    public static void RemoveDirectoryAt(SafeFileHandle directory, string name, string path)
    {
        if (Syscall.unlinkat(Fd(directory), name, AtFlags.AT_REMOVEDIR) != 0)
        {
            ThrowLastError("unlinkat", path);
        }
    }

    /// <summary>unlink of the daemon's own file, reached by path (state directory), treating "already gone" as success.</summary>
    public static void UnlinkIfPresent(string path)
    {
        if (Syscall.unlink(path) != 0 && LastError() is var errno && errno != Errno.ENOENT)
        {
            Throw(errno, "unlink", path);
        }
    }

    /// <summary>renameat within one directory: atomically replaces <paramref name="to"/>, never follows it.</summary>
    public static void RenameAt(SafeFileHandle directory, string from, string to, string path)
    {
        if (Syscall.renameat(Fd(directory), from, Fd(directory), to) != 0)
        {
            ThrowLastError("renameat", path);
        }
    }

    /// <summary>
    /// Creates <paramref name="directory"/> and any missing parents with exactly <paramref name="mode"/>
    /// (set again after mkdir, which the umask filters); existing ones are left as they are.
    /// Only for the daemon's own, root-owned locations.
    /// </summary>
    public static void CreateDirectories(string directory, FilePermissions mode)
    {
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        if (Directory.Exists(full))
        {
            return;
        }
        string? parent = Path.GetDirectoryName(full);
        if (parent is not null)
        {
            CreateDirectories(parent, mode);
        }
        if (Syscall.mkdir(full, mode) != 0)
        {
            Errno errno = LastError();
            if (errno == Errno.EEXIST)
            {
                return;
            }
            Throw(errno, "mkdir", full);
        }
        if (Syscall.chmod(full, mode) != 0)
        {
            ThrowLastError("chmod", full);
        }
    }
}
