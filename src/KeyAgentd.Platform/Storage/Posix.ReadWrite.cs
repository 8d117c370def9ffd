using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Mono.Unix.Native;

namespace KeyAgentd.Storage;

/// <summary>read/write/fsync loops: Mono.Posix takes a pointer, so the managed buffer is pinned around each call.</summary>
internal static partial class Posix
{
    /// <summary>
    /// The one way a file that is read back (state, kept answers, published documents) is opened: without
    /// blocking (a FIFO put in its place must not hang a cycle, `status`, `doctor` or a build), without
    /// following a symlink unless the caller names the path itself, and kept only if fstat of what was
    /// opened says it is a regular file. Null with <paramref name="notRegular"/> null when nothing is at
    /// <paramref name="path"/>; null with <paramref name="notRegular"/> saying what stands there instead
    /// ("a symlink", "a FIFO", "a directory"…) when that is not a regular file.
    /// </summary>
    /// <exception cref="PosixException">open or fstat failed otherwise.</exception>
    public static SafeFileHandle? TryOpenRegular(string path, out Stat st, out string? notRegular, bool followSymlink = false)
    {
        (st, notRegular) = (default, null);
        var handle = TryOpen(path, followSymlink ? ReadFileFlags & ~OpenFlags.O_NOFOLLOW : ReadFileFlags, 0, out Errno errno);
        if (handle is null)
        {
            notRegular = errno switch
            {
                Errno.ENOENT => null,
                Errno.ELOOP => "a symlink",
                _ => throw new PosixException(errno, "open", path),
            };
            return null;
        }
        try
        {
            st = Fstat(handle, path);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
        if (!IsRegular(st))
        {
            notRegular = Describe(st);
            handle.Dispose();
            return null;
        }
        return handle;
    }

    /// <summary>
    /// A file of the daemon's own state read back through <see cref="TryOpenRegular"/>, at most
    /// <paramref name="limit"/> bytes. Null when nothing is at <paramref name="path"/>.
    /// </summary>
    /// <exception cref="InvalidDataException">Not a regular file (a FIFO, a directory, a symlink), or larger than the limit: the message names it.</exception>
    /// <exception cref="IOException">It could not be read.</exception>
    public static byte[]? ReadStateFile(string path, int limit)
    {
        using var handle = TryOpenRegular(path, out Stat st, out string? notRegular);
        if (handle is null)
        {
            return notRegular is null ? null : throw new InvalidDataException($"{path} is {notRegular}, not a regular file");
        }
        byte[] content = ReadBounded(handle, limit, st.st_size, path, out bool tooLarge);
        return tooLarge ? throw new InvalidDataException($"{path} is larger than {limit} bytes") : content;
    }

    /// <summary>
    /// Reads up to <paramref name="limit"/> bytes; <paramref name="tooLarge"/> says there was more.
    /// The buffer starts at the size fstat reported but grows, since the file may have grown.
    /// </summary>
    public static byte[] ReadBounded(SafeFileHandle fd, int limit, long sizeHint, string path, out bool tooLarge)
    {
        // One byte past the limit tells "exactly at the bound" from "grew past it".
        var buffer = new byte[(int)Math.Clamp(sizeHint + 1, 1, limit + 1L)];
        int total = 0;
        while (true)
        {
            if (total == buffer.Length)
            {
                if (buffer.Length == limit + 1)
                {
                    break;
                }
                Array.Resize(ref buffer, (int)Math.Min(Math.Max(buffer.Length * 2L, 4096), limit + 1L));
            }
            long n = ReadSome(fd, buffer, total, path);
            if (n == 0)
            {
                break;
            }
            total += (int)n;
        }
        tooLarge = total > limit;
        return buffer.AsSpan(0, Math.Min(total, limit)).ToArray();
    }

    private static long ReadSome(SafeFileHandle fd, byte[] buffer, int offset, string path)
    {
        var pin = GCHandle.Alloc(buffer, GCHandleType.Pinned);
        try
        {
            while (true)
            {
                long n = Syscall.read(Fd(fd), pin.AddrOfPinnedObject() + offset, (ulong)(buffer.Length - offset));
                if (n >= 0)
                {
                    return n;
                }
                Errno errno = LastError();
                if (errno != Errno.EINTR)
                {
                    Throw(errno, "read", path);
                }
            }
        }
        finally
        {
            pin.Free();
        }
    }

    public static void WriteAll(SafeFileHandle fd, byte[] bytes, string path)
    {
        int total = 0;
        var pin = GCHandle.Alloc(bytes, GCHandleType.Pinned);
        try
        {
            IntPtr start = pin.AddrOfPinnedObject();
            while (total < bytes.Length)
            {
                long n = Syscall.write(Fd(fd), start + total, (ulong)(bytes.Length - total));
                if (n < 0)
                {
                    Errno errno = LastError();
                    if (errno == Errno.EINTR)
                    {
                        continue;
                    }
                    Throw(errno, "write", path);
                }
                if (n == 0)
                {
                    // write(2) returning 0 for a non-empty buffer means no progress is possible.
                    Throw(Errno.EIO, "write", path);
                }
                total += (int)n;
            }
        }
        finally
        {
            pin.Free();
        }
    }

    public static void Fsync(SafeFileHandle fd, string path)
    {
        int rc;
        do
        {
            rc = Syscall.fsync(Fd(fd));
        }
        while (rc != 0 && LastError() == Errno.EINTR);
        if (rc != 0)
        {
            ThrowLastError("fsync", path);
        }
    }
}
