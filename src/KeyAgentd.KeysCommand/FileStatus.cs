using System.Runtime.InteropServices;

namespace KeyAgentd.KeysCommand;

/// <summary>
/// The three fields of <c>struct stat</c> the helper needs, from fstat/stat into this
/// architecture's <see cref="KernelStat"/> layout: the runtime has no public owner API.
/// </summary>
internal readonly record struct FileStatus(uint Mode, uint Uid, long Size)
{
    public static bool TryFstat(int fd, out FileStatus status)
    {
        if (LinuxAbi.Current.Architecture == Architecture.Arm64)
        {
            int result = Fstat(fd, out KernelStat.Arm64 arm64);
            status = result == 0 ? new FileStatus(arm64.Mode, arm64.Uid, arm64.Size) : default;
            return result == 0;
        }
        int x64Result = Fstat(fd, out KernelStat.X64 x64);
        status = x64Result == 0 ? new FileStatus(x64.Mode, x64.Uid, x64.Size) : default;
        return x64Result == 0;
    }

    public static bool TryStat(string path, out FileStatus status)
    {
        if (LinuxAbi.Current.Architecture == Architecture.Arm64)
        {
            int result = Stat(path, out KernelStat.Arm64 arm64);
            status = result == 0 ? new FileStatus(arm64.Mode, arm64.Uid, arm64.Size) : default;
            return result == 0;
        }
        int x64Result = Stat(path, out KernelStat.X64 x64);
        status = x64Result == 0 ? new FileStatus(x64.Mode, x64.Uid, x64.Size) : default;
        return x64Result == 0;
    }

    [DllImport("libc", SetLastError = true, EntryPoint = "fstat")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Fstat(int fd, out KernelStat.X64 status);

    [DllImport("libc", SetLastError = true, EntryPoint = "fstat")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Fstat(int fd, out KernelStat.Arm64 status);

    [DllImport("libc", SetLastError = true, EntryPoint = "stat")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Stat([MarshalAs(UnmanagedType.LPUTF8Str)] string path, out KernelStat.X64 status);

    [DllImport("libc", SetLastError = true, EntryPoint = "stat")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Stat([MarshalAs(UnmanagedType.LPUTF8Str)] string path, out KernelStat.Arm64 status);
}
