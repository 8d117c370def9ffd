using Microsoft.Win32.SafeHandles;
using Mono.Unix.Native;

namespace KeyAgentd.Storage;

/// <summary>
/// Replaces a file so that a crash leaves either the old content or the new one: a temp file in
/// the same directory, written and fsynced, renamed over the target, and the directory fsynced.
/// One implementation for users' authorized_keys and the daemon's own state files.
/// </summary>
internal static class DurableFile
{
    /// <summary>The owner given to the new file before it gets its name (only root can give files away).</summary>
    public readonly record struct Owner(uint Uid, uint Gid);

    /// <summary>
    /// For the daemon's own, root-owned directories (state, metrics, audit head), reached by path.
    /// The temp name is unique, so two processes replacing the same file never share a temp.
    /// </summary>
    /// <exception cref="IOException">Nothing was replaced, or the rename may not have reached the disk; the message names the path.</exception>
    public static void WriteAllBytes(string path, byte[] content, FilePermissions mode)
    {
        string fullPath = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(fullPath) ?? throw new IOException($"{fullPath} has no parent directory");
        string name = Path.GetFileName(fullPath);
        try
        {
            using SafeFileHandle dir = Posix.Open(directory, OpenFlags.O_RDONLY | OpenFlags.O_DIRECTORY);
            Replace(dir, directory, name, $".{name}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp", content, mode, owner: null);
        }
        catch (PosixException e)
        {
            throw new IOException($"writing {fullPath}: {e.Message}", e);
        }
    }

    /// <summary>
    /// Replaces <paramref name="name"/> in an open, already checked directory. The temp is created
    /// with O_EXCL|O_NOFOLLOW, so it is always a new inode of ours; it gets its owner and exact mode
    /// before any content. On failure before the rename the temp is removed and the old file is
    /// untouched. If only the final directory fsync fails the new file is in place, but the
    /// failure is still thrown: it is not known to have reached the disk.
    /// </summary>
    /// <exception cref="PosixException">The failed call, with the path it was about.</exception>
    public static void Replace(SafeFileHandle directory, string directoryPath, string name, string tempName, byte[] content, FilePermissions mode, Owner? owner)
    {
        string tempPath = Join(directoryPath, tempName);
        SafeFileHandle temp = Posix.TryOpenAt(directory, tempName, Posix.CreateFileFlags, out Errno errno, mode)
            ?? throw new PosixException(errno, "openat(O_CREAT|O_EXCL)", tempPath);
        bool renamed = false;
        try
        {
            using (temp)
            {
                if (owner is { } o)
                {
                    Posix.Fchown(temp, o.Uid, o.Gid, tempPath);
                }
                Posix.Fchmod(temp, mode, tempPath);
                Posix.WriteAll(temp, content, tempPath);
                Posix.Fsync(temp, tempPath);
            }
            Posix.RenameAt(directory, tempName, name, tempPath);
            renamed = true;
            // Until the directory is on disk, a crash may still bring back the old file.
            Posix.Fsync(directory, directoryPath);
        }
        finally
        {
            if (!renamed)
            {
                // Best effort: the old file is untouched either way.
                _ = Syscall.unlinkat(Posix.Fd(directory), tempName, 0);
            }
        }
    }

    /// <summary>Makes a rename or a file creation in <paramref name="directory"/> survive a power loss.</summary>
    /// <exception cref="PosixException">The directory could not be opened or synced.</exception>
    public static void FsyncDirectory(string directory)
    {
        using SafeFileHandle handle = Posix.Open(directory, OpenFlags.O_RDONLY | OpenFlags.O_DIRECTORY);
        Posix.Fsync(handle, directory);
    }

    public static string Join(string directory, string name) =>
        directory.EndsWith('/') ? directory + name : directory + "/" + name;
}
