using KeyAgentd.Accounts;
using Mono.Unix.Native;

namespace KeyAgentd.Writer;

/// <summary>authorized_keys itself: check before opening, read bounded, compare, replace atomically.</summary>
public sealed partial class HomeKeyFiles
{
    /// <summary>
    /// Reads authorized_keys after checking it without opening it (so a FIFO, device or hard
    /// link is never opened), then checks the opened inode again: fstat is the truth about
    /// what was opened, whatever happened to the name in between. Null when it does not exist.
    /// </summary>
    private static byte[]? ReadExisting(UnixFd ssh, AccountInfo account, string filePath)
    {
        Stat? named = Posix.LstatAt(ssh, KeyFileName, filePath);
        if (named is null)
        {
            return null;
        }
        CheckKeyFile(named.Value, account, filePath);
        UnixFd? fd = Posix.TryOpenAt(ssh, KeyFileName, Posix.ReadFileFlags, out Errno errno);
        if (fd is null)
        {
            return errno switch
            {
                Errno.ENOENT => null,
                Errno.ELOOP => throw new FileRefusalException(new(FileRefusal.FileSymlink, $"{filePath} is a symlink")),
                _ => throw new FileRefusalException(Posix.IoError(errno, "openat", filePath)),
            };
        }
        using (fd)
        {
            Stat opened = Posix.Fstat(fd, filePath);
            CheckKeyFile(opened, account, filePath);
            byte[] bytes = Posix.ReadBounded(fd, MaxFileBytes, opened.st_size, filePath, out bool tooLarge);
            if (tooLarge)
            {
                throw new FileRefusalException(TooLarge(filePath));
            }
            return bytes;
        }
    }

    private static void CheckKeyFile(in Stat st, AccountInfo account, string filePath)
    {
        if (StrictModes.KeyFile(st, account, filePath) is { } problem)
        {
            throw new FileRefusalException(problem);
        }
        if (st.st_size > MaxFileBytes)
        {
            throw new FileRefusalException(TooLarge(filePath));
        }
    }

    private static FileRefusal TooLarge(string filePath) =>
        new(FileRefusal.FileTooLarge, $"{filePath} is larger than {MaxFileBytes} bytes");

    /// <summary>
    /// True when the file already is exactly what would be written: same bytes, 0600, right
    /// owner. Then nothing is written, so its inode and mtime stay as they are.
    /// An existing file larger than the bound cannot be equal and is simply replaced.
    /// </summary>
    private static bool IsUnchanged(UnixFd ssh, AccountInfo account, byte[] bytes, string filePath, bool chown, bool replaceUnsafeFile)
    {
        Stat? st = Posix.LstatAt(ssh, KeyFileName, filePath);
        if (st is not { } s)
        {
            return false;
        }
        if (StrictModes.KeyFile(s, account, filePath) is { } problem)
        {
            if (replaceUnsafeFile && FileRefusal.IsReplaceableFileProblem(problem.Code))
            {
                return false;
            }
            throw new FileRefusalException(problem);
        }
        if (s.st_size != bytes.Length
            || Posix.PermissionBits(s) != (uint)Posix.Mode0600
            || (chown && s.st_gid != account.Gid))
        {
            return false;
        }
        byte[]? existing = ReadExisting(ssh, account, filePath);
        return existing is not null && existing.AsSpan().SequenceEqual(bytes);
    }

    private static void Replace(UnixFd ssh, AccountInfo account, byte[] bytes, bool chown, string sshPath, string tempPath)
    {
        UnixFd? temp = Posix.TryOpenAt(ssh, TempFileName, Posix.CreateFileFlags, out Errno errno, Posix.Mode0600);
        if (temp is null)
        {
            Posix.ThrowIoError(errno, "openat(O_CREAT|O_EXCL)", tempPath);
        }
        bool renamed = false;
        try
        {
            using (temp)
            {
                if (chown && Syscall.fchown(temp.Value, account.Uid, account.Gid) != 0)
                {
                    Posix.ThrowIoError(Posix.LastError(), "fchown", tempPath);
                }
                // The umask may have taken bits off the creation mode; set it exactly.
                if (Syscall.fchmod(temp.Value, Posix.Mode0600) != 0)
                {
                    Posix.ThrowIoError(Posix.LastError(), "fchmod", tempPath);
                }
                Posix.WriteAll(temp, bytes, tempPath);
                Posix.Fsync(temp, tempPath);
            }
            if (Syscall.renameat(ssh.Value, TempFileName, ssh.Value, KeyFileName) != 0)
            {
                Posix.ThrowIoError(Posix.LastError(), "renameat", tempPath);
            }
            renamed = true;
            // The rename is only durable once the directory is; until then a crash may bring back
            // the old file. If this fsync fails the new file is in place but the write is still
            // reported as an io-error: it is not known to have reached the disk.
            Posix.Fsync(ssh, sshPath);
        }
        finally
        {
            if (!renamed)
            {
                // Best effort: the old file is untouched either way, and the next write removes the temp.
                _ = Syscall.unlinkat(ssh.Value, TempFileName, 0);
            }
        }
    }
}
