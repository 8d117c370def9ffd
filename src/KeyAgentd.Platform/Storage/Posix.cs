using System.Diagnostics.CodeAnalysis;
using Microsoft.Win32.SafeHandles;
using Mono.Unix.Native;

namespace KeyAgentd.Storage;

/// <summary>
/// The one layer over the system calls, for users' homes and the daemon's own files alike:
/// descriptors are <see cref="SafeFileHandle"/>s (an exception anywhere between open and close
/// cannot leak a descriptor to a user-controlled directory for the life of the daemon), EINTR is
/// retried, short reads and writes are looped over, and every failure is a
/// <see cref="PosixException"/> naming the errno, the call and the path. Calls whose failure the
/// caller interprets (ENOENT, ELOOP, EEXIST) are Try-methods that hand back the errno instead.
/// </summary>
internal static partial class Posix
{
    public const OpenFlags DirectoryFlags = OpenFlags.O_RDONLY | OpenFlags.O_DIRECTORY | OpenFlags.O_NOFOLLOW | OpenFlags.O_CLOEXEC;

    // O_NONBLOCK: should the inode turn out to be a FIFO after all, open must not hang the daemon.
    public const OpenFlags ReadFileFlags = OpenFlags.O_RDONLY | OpenFlags.O_NOFOLLOW | OpenFlags.O_NONBLOCK | OpenFlags.O_CLOEXEC;

    public const OpenFlags CreateFileFlags = OpenFlags.O_WRONLY | OpenFlags.O_CREAT | OpenFlags.O_EXCL | OpenFlags.O_NOFOLLOW | OpenFlags.O_CLOEXEC;

    public const FilePermissions Mode0755 = (FilePermissions)0x1ED;
    public const FilePermissions Mode0700 = (FilePermissions)0x1C0;
    public const FilePermissions Mode0644 = (FilePermissions)0x1A4;
    public const FilePermissions Mode0640 = (FilePermissions)0x1A0;
    public const FilePermissions Mode0600 = (FilePermissions)0x180;
    public const uint GroupOrWorldWritable = 0x12; // 022
    public const uint Sticky = 0x200; // 01000

    public static uint PermissionBits(in Stat st) => (uint)st.st_mode & 0xFFF;

    /// <summary>
    /// Owned by root or the effective uid and not group/world-writable: nobody but this process's user
    /// (or root) can have written it, so what it says about this host's trust may be believed.
    /// </summary>
    public static bool WritableOnlyByUs(in Stat st) =>
        (st.st_uid == 0 || st.st_uid == Syscall.geteuid()) && (PermissionBits(st) & GroupOrWorldWritable) == 0;

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

    /// <summary>The raw descriptor; valid only while the handle is not disposed.</summary>
    public static int Fd(SafeFileHandle handle) => (int)handle.DangerousGetHandle();

    public static Errno LastError() => Stdlib.GetLastError();

    [DoesNotReturn]
    public static void Throw(Errno errno, string operation, string path) =>
        throw new PosixException(errno, operation, path);

    [DoesNotReturn]
    public static void ThrowLastError(string operation, string path) =>
        throw new PosixException(LastError(), operation, path);
}
