using System.Runtime.InteropServices;
using Mono.Unix.Native;

namespace KeyAgentd.Storage;

/// <summary>realpath(3): every symlink in a path resolved by the C library (loops end in ELOOP, not a hang).</summary>
internal static partial class Posix
{
    /// <summary>The canonical absolute path; null with <paramref name="errno"/> when a component is missing, a loop, or unreadable.</summary>
    public static string? TryRealPath(string path, out Errno errno)
    {
        nint resolved = NativeRealPath(path, 0);
        if (resolved == 0)
        {
            errno = LastError();
            return null;
        }
        errno = 0;
        try
        {
            return Marshal.PtrToStringUTF8(resolved);
        }
        finally
        {
            NativeFree(resolved);
        }
    }

    // Mono.Posix does not wrap realpath. With a null buffer glibc allocates the result; free releases it.
    [DllImport("libc", SetLastError = true, EntryPoint = "realpath")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern nint NativeRealPath([MarshalAs(UnmanagedType.LPUTF8Str)] string path, nint resolved);

    [DllImport("libc", EntryPoint = "free")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern void NativeFree(nint pointer);
}
