using System.Runtime.InteropServices;
using System.Text;
using System.Text.Unicode;
using Microsoft.Win32.SafeHandles;

namespace KeyAgentd.KeysCommand;

/// <summary>
/// Reads the cache file without following a symlink in its last component (O_NOFOLLOW), without
/// blocking on a FIFO (O_NONBLOCK), only if it is a regular file, and at most <see cref="MaxBytes"/>.
/// </summary>
internal static class CacheFileReader
{
    /// <summary>
    /// A cache holds at most what one snapshot can grant, and a snapshot is capped at
    /// Registry:MaxBytes (8 MiB by default): tens of thousands of keys. A bigger file is not
    /// something the daemon wrote.
    /// </summary>
    public const int MaxBytes = 8 * 1024 * 1024;

    private const int O_RDONLY = 0;
    private const int O_NONBLOCK = 0x800;
    private const int O_NOFOLLOW = 0x20000;
    private const int O_CLOEXEC = 0x80000;
    private const int ENOENT = 2;
    private const int ENOTDIR = 20;
    private const int ELOOP = 40;

    /// <summary>
    /// The file's bytes (valid UTF-8: see <see cref="Read"/>), or null with the problem, if any worth
    /// logging. Disposing it unmaps the file.
    /// </summary>
    internal readonly record struct Result(ReadOnlyMemory<byte>? Bytes, string? Problem, IDisposable? Mapping = null) : IDisposable
    {
        public void Dispose() => Mapping?.Dispose();
    }

    public static Result Read(string path)
    {
        int fd = Open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            // A user the daemon does not manage simply has no cache file: not worth a word in sshd's log.
            return errno is ENOENT or ENOTDIR
                ? new Result(null, null)
                : new Result(null, errno == ELOOP ? "is a symbolic link; refused" : $"cannot open (errno {errno})");
        }
        using var handle = new SafeFileHandle(fd, ownsHandle: true);
        if (!TryRegularFileSize(fd, out long size))
        {
            return new Result(null, "not a regular file; refused");
        }
        if (size > MaxBytes)
        {
            return new Result(null, $"larger than {MaxBytes} bytes; refused");
        }
        if (size == 0)
        {
            return new Result(ReadOnlyMemory<byte>.Empty, null);
        }
        // Mapped, not read: see MappedBytes. The mapping outlives the descriptor, closed on return.
        if (MappedBytes.TryMap(fd, (int)size) is not { } mapped)
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

    private static bool TryRegularFileSize(int fd, out long size)
    {
        const uint S_IFMT = 0xF000;
        const uint S_IFREG = 0x8000;
        size = 0;
        if (!FileStatus.TryFstat(fd, out var status))
        {
            return false;
        }
        size = status.Size;
        return (status.Mode & S_IFMT) == S_IFREG && size >= 0;
    }

    [DllImport("libc", SetLastError = true, EntryPoint = "open")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);
}
