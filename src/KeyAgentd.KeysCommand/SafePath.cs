using System.Runtime.InteropServices;

namespace KeyAgentd.KeysCommand;

/// <summary>
/// The check sshd makes of its own AuthorizedKeysCommand (OpenSSH misc.c <c>safe_path</c>, called
/// from <c>subprocess</c> with uid 0): the resolved file is a regular file, and it and every
/// directory up to <c>/</c> are root-owned and not group- or world-writable (sticky or not: safe_path
/// tests <c>st_mode &amp; 022</c> alone, so /tmp fails it). One rule for the two things the helper
/// trusts: the command it chains (someone who could not replace our helper must not choose the keys
/// through it) and the cache it serves (someone who could not write as root must not plant keys/USER).
/// The owner asked for is root whoever runs the helper: sshd runs it as AuthorizedKeysCommandUser, an
/// unprivileged user that only reads, and the daemon, which alone writes the cache, runs as root.
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
        return CheckFile(resolved, file) ?? CheckDirectories(Path.GetDirectoryName(resolved));
    }

    /// <summary>
    /// Null when <paramref name="file"/> (the status of <paramref name="resolved"/>, from fstat of the
    /// descriptor that will be read) is a root-owned regular file not writable by group or world.
    /// </summary>
    public static string? CheckFile(string resolved, FileStatus file)
    {
        if ((file.Mode & S_IFMT) != S_IFREG)
        {
            return $"{resolved} is not a regular file";
        }
        return file.Uid != 0 || (file.Mode & GroupOrWorldWritable) != 0
            ? $"bad ownership or modes for file {resolved} (owner {file.Uid}, mode {Octal(file.Mode)}; must be root-owned, not group/world-writable)"
            : null;
    }

    /// <summary>
    /// Null when <paramref name="directory"/> (already resolved: no symlink in it) and every directory
    /// above it are root-owned and not writable by group or world.
    /// </summary>
    public static string? CheckDirectories(string? directory)
    {
        for (string? dir = directory; dir is not null; dir = Path.GetDirectoryName(dir))
        {
            if (!FileStatus.TryStat(dir, out var status))
            {
                return $"cannot stat {dir} (errno {Marshal.GetLastPInvokeError()})";
            }
            if (CheckDirectory(dir, status) is { } unsafeDirectory)
            {
                return unsafeDirectory;
            }
        }
        return null;
    }

    /// <summary>Null when <paramref name="status"/> (of <paramref name="directory"/>) is root-owned and not group/world-writable.</summary>
    public static string? CheckDirectory(string directory, FileStatus status) =>
        status.Uid != 0 || (status.Mode & GroupOrWorldWritable) != 0
            ? $"bad ownership or modes for directory {directory} (owner {status.Uid}, mode {Octal(status.Mode)}; must be root-owned, not group/world-writable)"
            : null;

    /// <summary>The canonical path (every symlink and ".." resolved, as sshd's safe_path starts with), or null with errno set.</summary>
    public static string? RealPath(string path)
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

    private static string Octal(uint mode) => "0" + Convert.ToString(mode & 0xFFF, 8).PadLeft(3, '0');

    [DllImport("libc", SetLastError = true, EntryPoint = "realpath")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern nint NativeRealPath([MarshalAs(UnmanagedType.LPUTF8Str)] string path, nint resolved);

    [DllImport("libc", EntryPoint = "free")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern void Free(nint pointer);
}
