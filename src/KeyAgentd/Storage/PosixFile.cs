using Microsoft.Win32.SafeHandles;
using Mono.Unix.Native;

namespace KeyAgentd.Storage;

/// <summary>
/// Thin wrappers over open/fchmod/mkdir that give exact flags and modes (no umask surprises)
/// and put the operation and path into every error.
/// </summary>
internal static class PosixFile
{
    public static SafeFileHandle Open(string path, OpenFlags flags, FilePermissions mode, string doing) =>
        TryOpen(path, flags, mode, out var errno) ?? throw Error(doing, path, errno);

    /// <summary>Null with the errno on failure, for callers that handle a particular error (EEXIST).</summary>
    public static SafeFileHandle? TryOpen(string path, OpenFlags flags, FilePermissions mode, out Errno errno)
    {
        int fd;
        do
        {
            fd = Syscall.open(path, flags | OpenFlags.O_CLOEXEC, mode);
            errno = fd < 0 ? Stdlib.GetLastError() : 0;
        }
        while (errno == Errno.EINTR);
        return fd < 0 ? null : new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>Sets the exact mode: the mode given to open(2) or mkdir(2) is filtered by the umask.</summary>
    public static void Chmod(SafeFileHandle handle, FilePermissions mode, string path)
    {
        if (Syscall.fchmod(Fd(handle), mode) != 0)
        {
            throw Error("setting the mode of", path);
        }
    }

    public static void Stat(SafeFileHandle handle, out Stat stat, string path)
    {
        if (Syscall.fstat(Fd(handle), out stat) != 0)
        {
            throw Error("examining", path);
        }
    }

    /// <summary>Creates <paramref name="directory"/> and any missing parents with exactly <paramref name="mode"/>; existing ones are left alone.</summary>
    public static void CreateDirectory(string directory, FilePermissions mode)
    {
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        if (Directory.Exists(full))
        {
            return;
        }
        string? parent = Path.GetDirectoryName(full);
        if (parent is not null)
        {
            CreateDirectory(parent, mode);
        }
        if (Syscall.mkdir(full, mode) != 0)
        {
            if (Stdlib.GetLastError() == Errno.EEXIST)
            {
                return;
            }
            throw Error("creating directory", full);
        }
        if (Syscall.chmod(full, mode) != 0)
        {
            throw Error("setting the mode of", full);
        }
    }

    public static int Fd(SafeFileHandle handle) => (int)handle.DangerousGetHandle();

    public static IOException Error(string doing, string path) => Error(doing, path, Stdlib.GetLastError());

    public static IOException Error(string doing, string path, Errno errno) =>
        new($"{doing} {path}: {Stdlib.strerror(errno)} ({errno})");
}
