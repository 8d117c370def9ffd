using System.Runtime.InteropServices;
using System.Text;
using System.Text.Unicode;
using Microsoft.Win32.SafeHandles;

namespace KeyAgentd.KeysCommand;

/// <summary>
/// Reads the cache file without following a symlink in its last component (O_NOFOLLOW), without
/// blocking on a FIFO (O_NONBLOCK), only if it is a regular file, at most <see cref="MaxBytes"/>, and
/// only if it and every directory above it pass <see cref="SafePath"/>: root-owned, not group- or
/// world-writable. Without that last rule anyone who could write keys/ (a directory left 0777, a
/// state directory under a world-writable one) could plant keys/USER and log in as USER.
/// </summary>
internal static class CacheFileReader
{
    /// <summary>
    /// A cache holds at most what one snapshot can grant, and a snapshot is capped at
    /// Registry:MaxBytes (8 MiB by default): tens of thousands of keys. A bigger file is not
    /// something the daemon wrote.
    /// </summary>
    public const int MaxBytes = 8 * 1024 * 1024;

    private const int ENOENT = 2;
    private const int ENOTDIR = 20;
    private const int ELOOP = 40;

    /// <summary>
    /// The file's bytes (valid UTF-8: see <see cref="Read"/>), or null: with no problem when there is
    /// no cache, with the reason when one is there and refused. Disposing it unmaps the file.
    /// </summary>
    internal readonly record struct Result(ReadOnlyMemory<byte>? Bytes, string? Problem, IDisposable? Mapping = null) : IDisposable
    {
        public void Dispose() => Mapping?.Dispose();
    }

    public static Result Read(string path)
    {
        // The directories are resolved first, as safe_path does, and the file is opened below the
        // resolved path: a symlink in the path is followed once, here, and its target is what is checked.
        string? directory = SafePath.RealPath(Path.GetDirectoryName(path) ?? "/");
        if (directory is null)
        {
            int errno = Marshal.GetLastPInvokeError();
            // No state directory or no keys/: no cache, as for a user the daemon does not manage.
            return errno is ENOENT or ENOTDIR ? new Result(null, null) : new Result(null, $"cannot resolve (errno {errno})");
        }
        string resolved = Path.Combine(directory, Path.GetFileName(path));
        // O_PATH: what passing through a directory needs (search, not read), as the path lookup alone did.
        var abi = LinuxAbi.Current;
        int directoryFd = Open(directory, LinuxAbi.OPath | abi.ODirectory | abi.ONoFollow | LinuxAbi.OCloExec);
        if (directoryFd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            return errno is ENOENT or ENOTDIR ? new Result(null, null) : new Result(null, $"cannot open {directory} (errno {errno})");
        }
        using var directoryHandle = new SafeFileHandle(directoryFd, ownsHandle: true);
        int fd = OpenAt(directoryFd, Path.GetFileName(path), LinuxAbi.ORdOnly | abi.ONoFollow | LinuxAbi.ONonBlock | LinuxAbi.OCloExec);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            // A user the daemon does not manage simply has no cache file: not worth a word in sshd's log.
            return errno is ENOENT or ENOTDIR
                ? new Result(null, null)
                : new Result(null, errno == ELOOP ? "is a symbolic link; refused" : $"cannot open (errno {errno})");
        }
        using var handle = new SafeFileHandle(fd, ownsHandle: true);
        if (!FileStatus.TryFstat(fd, out var status))
        {
            return new Result(null, $"cannot fstat (errno {Marshal.GetLastPInvokeError()})");
        }
        if (SafePath.CheckFile(resolved, status) is { } unsafeFile)
        {
            return new Result(null, unsafeFile + "; refused");
        }
        if (status.Size > MaxBytes)
        {
            return new Result(null, $"larger than {MaxBytes} bytes; refused");
        }
        // The directory the file was opened in is the one judged (its descriptor), not whatever its path
        // names by now: the daemon replaces a keys/ it finds open to others by a new one, and a file
        // opened in the old one must not pass on the strength of the new one's owner and mode.
        if (!FileStatus.TryFstat(directoryFd, out var directoryStatus))
        {
            return new Result(null, $"cannot fstat {directory} (errno {Marshal.GetLastPInvokeError()})");
        }
        if ((SafePath.CheckDirectory(directory, directoryStatus) ?? SafePath.CheckDirectories(Path.GetDirectoryName(directory))) is { } unsafeDirectory)
        {
            return new Result(null, unsafeDirectory + "; refused");
        }
        int size = (int)status.Size;
        if (size == 0)
        {
            return new Result(ReadOnlyMemory<byte>.Empty, null);
        }
        // Mapped, not read: see MappedBytes. The mapping outlives the descriptor, closed on return.
        if (MappedBytes.TryMap(fd, size) is not { } mapped)
        {
            return new Result(null, $"cannot map (errno {Marshal.GetLastPInvokeError()})");
        }
        var bytes = mapped.Memory;
        // The daemon writes UTF-8. Anything else is read as the helper always read it, decoded with
        // replacement characters (so what it prints stays valid UTF-8): one vectorised pass to check.
        if (Utf8.IsValid(bytes.Span))
        {
            return new Result(bytes, null, mapped);
        }
        using (mapped)
        {
            return new Result(Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(bytes.Span)), null);
        }
    }

    [DllImport("libc", SetLastError = true, EntryPoint = "open")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", SetLastError = true, EntryPoint = "openat")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int OpenAt(int directoryFd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);
}
