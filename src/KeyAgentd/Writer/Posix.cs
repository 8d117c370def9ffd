using Mono.Unix.Native;

namespace KeyAgentd.Writer;

/// <summary>
/// Thin, errno-preserving wrappers over Mono.Posix: retry on EINTR, loop over short reads and
/// writes, and turn failures into io-error refusals that name the errno, operation and path.
/// </summary>
internal static partial class Posix
{
    public const OpenFlags DirectoryFlags = OpenFlags.O_RDONLY | OpenFlags.O_DIRECTORY | OpenFlags.O_NOFOLLOW | OpenFlags.O_CLOEXEC;

    // O_NONBLOCK: should the inode turn out to be a FIFO after all, open must not hang the daemon.
    public const OpenFlags ReadFileFlags = OpenFlags.O_RDONLY | OpenFlags.O_NOFOLLOW | OpenFlags.O_NONBLOCK | OpenFlags.O_CLOEXEC;

    public const OpenFlags CreateFileFlags = OpenFlags.O_WRONLY | OpenFlags.O_CREAT | OpenFlags.O_EXCL | OpenFlags.O_NOFOLLOW | OpenFlags.O_CLOEXEC;

    public const FilePermissions Mode0700 = (FilePermissions)0x1C0;
    public const FilePermissions Mode0600 = (FilePermissions)0x180;
    public const uint GroupOrWorldWritable = 0x12; // 022
    public const uint Sticky = 0x200; // 01000

    public static uint PermissionBits(in Stat st) => (uint)st.st_mode & 0xFFF;

    public static string Octal(in Stat st) => "0" + Convert.ToString(PermissionBits(st), 8).PadLeft(3, '0');

    public static FilePermissions FileType(in Stat st) => st.st_mode & FilePermissions.S_IFMT;

    public static bool IsDirectory(in Stat st) => FileType(st) == FilePermissions.S_IFDIR;

    public static bool IsRegular(in Stat st) => FileType(st) == FilePermissions.S_IFREG;

    public static bool IsSymlink(in Stat st) => FileType(st) == FilePermissions.S_IFLNK;

    public static string Describe(in Stat st) => FileType(st) switch
    {
        FilePermissions.S_IFREG => "a regular file",
        FilePermissions.S_IFDIR => "a directory",
        FilePermissions.S_IFLNK => "a symlink",
        FilePermissions.S_IFIFO => "a FIFO",
        FilePermissions.S_IFSOCK => "a socket",
        FilePermissions.S_IFCHR => "a character device",
        FilePermissions.S_IFBLK => "a block device",
        _ => "an unknown file type",
    };

    public static Errno LastError() => Stdlib.GetLastError();

    public static FileRefusal IoError(Errno errno, string operation, string path) =>
        new(FileRefusal.IoError, $"{errno} ({Syscall.strerror(errno)}) during {operation} {path}");

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    public static void ThrowIoError(Errno errno, string operation, string path) =>
        throw new FileRefusalException(IoError(errno, operation, path));

    public static UnixFd OpenRoot()
    {
        int fd;
        do
        {
            fd = Syscall.open("/", OpenFlags.O_RDONLY | OpenFlags.O_DIRECTORY | OpenFlags.O_CLOEXEC);
        }
        while (fd < 0 && LastError() == Errno.EINTR);
        if (fd < 0)
        {
            ThrowIoError(LastError(), "open", "/");
        }
        return new UnixFd(fd);
    }

    /// <summary>openat; null with <paramref name="errno"/> on failure (the caller decides what it means).</summary>
    public static UnixFd? TryOpenAt(UnixFd directory, string name, OpenFlags flags, out Errno errno, FilePermissions mode = 0)
    {
        int fd;
        do
        {
            fd = (flags & OpenFlags.O_CREAT) != 0
                ? Syscall.openat(directory.Value, name, flags, mode)
                : Syscall.openat(directory.Value, name, flags);
            errno = fd < 0 ? LastError() : 0;
        }
        while (fd < 0 && errno == Errno.EINTR);
        return fd < 0 ? null : new UnixFd(fd);
    }

    public static Stat Fstat(UnixFd fd, string path)
    {
        if (Syscall.fstat(fd.Value, out Stat st) != 0)
        {
            ThrowIoError(LastError(), "fstat", path);
        }
        return st;
    }

    /// <summary>lstat relative to a directory fd; null when the name does not exist.</summary>
    public static Stat? LstatAt(UnixFd directory, string name, string path)
    {
        if (Syscall.fstatat(directory.Value, name, out Stat st, AtFlags.AT_SYMLINK_NOFOLLOW) == 0)
        {
            return st;
        }
        Errno errno = LastError();
        if (errno == Errno.ENOENT)
        {
            return null;
        }
        ThrowIoError(errno, "fstatat", path);
        return null;
    }

    /// <summary>unlinkat that treats "already gone" as success.</summary>
    public static void UnlinkIfPresent(UnixFd directory, string name, string path)
    {
        if (Syscall.unlinkat(directory.Value, name, 0) != 0 && LastError() is var errno && errno != Errno.ENOENT)
        {
            ThrowIoError(errno, "unlinkat", path);
        }
    }

    public static void Fsync(UnixFd fd, string path)
    {
        int rc;
        do
        {
            rc = Syscall.fsync(fd.Value);
        }
        while (rc != 0 && LastError() == Errno.EINTR);
        if (rc != 0)
        {
            ThrowIoError(LastError(), "fsync", path);
        }
    }
}
