using System.Runtime.InteropServices;

namespace KeyAgentd.Writer;

/// <summary>The libc calls Mono.Posix does not wrap.</summary>
internal static class LibC
{
    public const int LOCK_EX = 2;
    public const int LOCK_NB = 4;
    public const int LOCK_UN = 8;

    // fcntl record locks would need a writable descriptor; a directory can only be flock()ed.
    [DllImport("libc", SetLastError = true, EntryPoint = "flock")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern int Flock(int fd, int operation);
}
