using Microsoft.Win32.SafeHandles;
using Mono.Unix.Native;

namespace KeyAgentd.Storage;

/// <summary>Opening: relative to a checked directory descriptor (homes), or by path (the daemon's own, root-owned directories).</summary>
internal static partial class Posix
{
    public static SafeFileHandle OpenRoot() =>
        TryOpen("/", OpenFlags.O_RDONLY | OpenFlags.O_DIRECTORY, 0, out Errno errno) ?? throw new PosixException(errno, "open", "/");

    /// <summary>openat; null with <paramref name="errno"/> on failure (the caller decides what it means).</summary>
    public static SafeFileHandle? TryOpenAt(SafeFileHandle directory, string name, OpenFlags flags, out Errno errno, FilePermissions mode = 0)
    {
        int fd;
        do
        {
            fd = (flags & OpenFlags.O_CREAT) != 0
                ? Syscall.openat(Fd(directory), name, flags | OpenFlags.O_CLOEXEC, mode)
                : Syscall.openat(Fd(directory), name, flags | OpenFlags.O_CLOEXEC);
            errno = fd < 0 ? LastError() : 0;
        }
        while (fd < 0 && errno == Errno.EINTR);
        return fd < 0 ? null : new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>open by path; null with <paramref name="errno"/> on failure. Only for paths no user controls.</summary>
    public static SafeFileHandle? TryOpen(string path, OpenFlags flags, FilePermissions mode, out Errno errno)
    {
        int fd;
        do
        {
            fd = Syscall.open(path, flags | OpenFlags.O_CLOEXEC, mode);
            errno = fd < 0 ? LastError() : 0;
        }
        while (fd < 0 && errno == Errno.EINTR);
        return fd < 0 ? null : new SafeFileHandle(fd, ownsHandle: true);
    }

    public static SafeFileHandle Open(string path, OpenFlags flags, FilePermissions mode = 0) =>
        TryOpen(path, flags, mode, out Errno errno) ?? throw new PosixException(errno, "open", path);
}
