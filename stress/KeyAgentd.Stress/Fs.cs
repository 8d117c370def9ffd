using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Mono.Unix.Native;

namespace KeyAgentd.Stress;

/// <summary>Path-based helpers for the harness (the code under test never uses paths like this).</summary>
public static partial class Fs
{
    private const int AtFdCwd = -100;
    private const uint RenameExchange = 2;

    [LibraryImport("libc", EntryPoint = "renameat2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int RenameAt2(int olddirfd, string oldpath, int newdirfd, string newpath, uint flags);

    /// <summary>Atomically swaps two names (renameat2 RENAME_EXCHANGE).</summary>
    public static bool Exchange(string a, string b) => RenameAt2(AtFdCwd, a, AtFdCwd, b, RenameExchange) == 0;

    public static void Rename(string from, string to) => Check(Syscall.rename(from, to), "rename", from);

    public static void Chmod(string path, int mode) => Check(Syscall.chmod(path, (FilePermissions)mode), "chmod", path);

    public static void Chown(string path, uint uid, uint gid) => Check(Syscall.lchown(path, uid, gid), "lchown", path);

    public static void Symlink(string target, string path) => Check(Syscall.symlink(target, path), "symlink", path);

    public static void HardLink(string target, string path) => Check(Syscall.link(target, path), "link", path);

    public static void Fifo(string path) => Check(Syscall.mkfifo(path, (FilePermissions)0x1B6), "mkfifo", path);

    /// <summary>A character device node with the numbers of /dev/null.</summary>
    public static void CharDevice(string path) =>
        Check(Syscall.mknod(path, FilePermissions.S_IFCHR | (FilePermissions)0x1B6, (1UL << 8) | 3), "mknod", path);

    public static void Socket(string path)
    {
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        socket.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(path));
    }

    public static Stat? Lstat(string path) => Syscall.lstat(path, out Stat st) == 0 ? st : null;

    /// <summary>Type, mode, owner, size, and content hash of a regular file: what must not change.</summary>
    public static string Fingerprint(string path)
    {
        if (Lstat(path) is not { } st)
        {
            return "absent";
        }
        string hash = "";
        if ((st.st_mode & FilePermissions.S_IFMT) == FilePermissions.S_IFREG)
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read);
            hash = Convert.ToHexString(SHA256.HashData(stream))[..16];
        }
        else if ((st.st_mode & FilePermissions.S_IFMT) == FilePermissions.S_IFLNK)
        {
            hash = "->" + (new FileInfo(path).LinkTarget ?? "?");
        }
        return $"{(uint)st.st_mode:x} {st.st_uid}:{st.st_gid} {st.st_size} {hash}";
    }

    /// <summary>Fingerprints of a tree (without following symlinks), path → fingerprint.</summary>
    public static SortedDictionary<string, string> Tree(string root)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal) { [root] = Fingerprint(root) };
        if (Lstat(root) is { } st && (st.st_mode & FilePermissions.S_IFMT) == FilePermissions.S_IFDIR)
        {
            foreach (string entry in Directory.EnumerateFileSystemEntries(root))
            {
                foreach (var (k, v) in Tree(entry))
                {
                    result[k] = v;
                }
            }
        }
        return result;
    }

    public static string? Diff(SortedDictionary<string, string> before, SortedDictionary<string, string> after)
    {
        foreach (var (path, print) in before)
        {
            if (!after.TryGetValue(path, out var now))
            {
                return $"{path} disappeared";
            }
            if (now != print)
            {
                return $"{path} changed: {print} → {now}";
            }
        }
        foreach (string path in after.Keys.Where(p => !before.ContainsKey(p)))
        {
            return $"{path} appeared";
        }
        return null;
    }

    public static void RemoveTree(string path)
    {
        if (Lstat(path) is null)
        {
            return;
        }
        // rm -rf does not follow symlinks and copes with FIFOs, sockets and devices.
        using var rm = System.Diagnostics.Process.Start("rm", ["-rf", "--one-file-system", path]);
        rm.WaitForExit();
    }

    private static void Check(int rc, string what, string path)
    {
        if (rc != 0)
        {
            throw new IOException($"{what} {path}: {Stdlib.GetLastError()}");
        }
    }
}
