using Mono.Unix.Native;

namespace KeyAgentd.Tests.Support;

/// <summary>lstat, chmod and lchown of a path, failing the test loudly; shared with the registry's tests (which have no accounts).</summary>
public static class PathSyscalls
{
    /// <summary>lstat of a path (tests may use paths; the code under test may not).</summary>
    public static Stat Lstat(string path)
    {
        if (Syscall.lstat(path, out Stat st) != 0)
        {
            throw new InvalidOperationException($"lstat {path}: {Stdlib.GetLastError()}");
        }
        return st;
    }

    public static void Chmod(string path, int mode)
    {
        if (Syscall.chmod(path, (FilePermissions)mode) != 0)
        {
            throw new InvalidOperationException($"chmod {path}: {Stdlib.GetLastError()}");
        }
    }

    public static void Chown(string path, uint uid, uint gid)
    {
        if (Syscall.lchown(path, uid, gid) != 0)
        {
            throw new InvalidOperationException($"lchown {path}: {Stdlib.GetLastError()}");
        }
    }
}
