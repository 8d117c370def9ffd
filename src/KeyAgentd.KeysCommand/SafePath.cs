using System.Runtime.InteropServices;

namespace KeyAgentd.KeysCommand;

/// <summary>
/// The check sshd makes of its own AuthorizedKeysCommand (OpenSSH misc.c <c>safe_path</c>, called
/// from <c>subprocess</c> with uid 0): the resolved file is a regular file, and it and every
/// directory up to <c>/</c> are root-owned and not group- or world-writable. Chaining must not let
/// someone who could not replace our helper choose the keys through the command it runs.
/// </summary>
internal static class SafePath
{
    private const uint S_IFMT = 0xF000;
    private const uint S_IFREG = 0x8000;
    private const uint GroupOrWorldWritable = 0x12; // 022

    /// <summary>Null when safe, else why not.</summary>
    public static string? Check(string path)
    {
        string? resolved = RealPath(path);
        if (resolved is null)
        {
            return $"cannot resolve (errno {Marshal.GetLastPInvokeError()})";
        }
        if (!FileStatus.TryStat(resolved, out var file))
        {
            return $"cannot stat {resolved} (errno {Marshal.GetLastPInvokeError()})";
        }
        if ((file.Mode & S_IFMT) != S_IFREG)
        {
            return $"{resolved} is not a regular file";
        }
        if (file.Uid != 0 || (file.Mode & GroupOrWorldWritable) != 0)
        {
            return $"bad ownership or modes for file {resolved} (must be root-owned, not group/world-writable)";
        }
        for (string? dir = Path.GetDirectoryName(resolved); dir is not null; dir = Path.GetDirectoryName(dir))
        {
            if (!FileStatus.TryStat(dir, out var status))
            {
                return $"cannot stat {dir} (errno {Marshal.GetLastPInvokeError()})";
            }
            if (status.Uid != 0 || (status.Mode & GroupOrWorldWritable) != 0)
            {
                return $"bad ownership or modes for directory {dir} (must be root-owned, not group/world-writable)";
            }
        }
        return null;
    }

    private static string? RealPath(string path)
    {
        nint resolved = NativeRealPath(path, 0);
        if (resolved == 0)
        {
            return null;
        }
        try
        {
            return Marshal.PtrToStringUTF8(resolved);
        }
        finally
        {
            Free(resolved);
        }
    }

    [DllImport("libc", SetLastError = true, EntryPoint = "realpath")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern nint NativeRealPath([MarshalAs(UnmanagedType.LPUTF8Str)] string path, nint resolved);

    [DllImport("libc", EntryPoint = "free")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern void Free(nint pointer);
}
