using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Mono.Unix.Native;

namespace KeyAgentd.Storage;

/// <summary>read/write/fsync loops: Mono.Posix takes a pointer, so the managed buffer is pinned around each call.</summary>
internal static partial class Posix
{
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
