using System.Runtime.InteropServices;

namespace KeyAgentd.KeysCommand;

/// <summary>
/// The three fields of the kernel's <c>struct stat</c> the helper needs, read from fixed offsets:
/// the runtime has no public owner API, and a marshalled struct would cost start-up time.
/// </summary>
internal readonly record struct FileStatus(uint Mode, uint Uid, long Size)
{
    // st_mode and st_uid follow st_dev, st_ino (and st_nlink on x86-64); st_size sits at byte 48 in
    // both the x86-64 and the generic (arm64) layout.
    private static readonly int ModeOffset = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 24 : 16;
    private static readonly int UidOffset = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 28 : 24;
    private const int SizeOffset = 48;

    public static bool TryFstat(int fd, out FileStatus status)
    {
        var buffer = new byte[256];
        return From(Fstat(fd, buffer), buffer, out status);
    }

    public static bool TryStat(string path, out FileStatus status)
    {
        var buffer = new byte[256];
        return From(Stat(path, buffer), buffer, out status);
    }

    private static bool From(int result, byte[] buffer, out FileStatus status)
    {
        status = result == 0
            ? new FileStatus(BitConverter.ToUInt32(buffer, ModeOffset), BitConverter.ToUInt32(buffer, UidOffset), BitConverter.ToInt64(buffer, SizeOffset))
            : default;
        return result == 0;
    }

    [DllImport("libc", SetLastError = true, EntryPoint = "fstat")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Fstat(int fd, [Out] byte[] buffer);

    [DllImport("libc", SetLastError = true, EntryPoint = "stat")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Stat([MarshalAs(UnmanagedType.LPUTF8Str)] string path, [Out] byte[] buffer);
}
