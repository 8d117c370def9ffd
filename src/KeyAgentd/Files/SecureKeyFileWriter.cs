using System.Text;
using KeyAgentd.Accounts;
using Mono.Unix.Native;

namespace KeyAgentd.Files;

/// <summary>
/// The only code that touches a user's home directory. The daemon runs as root and the home
/// belongs to someone else, so no path string is ever opened as a whole: the home is walked
/// from "/" with O_NOFOLLOW (<see cref="HomeWalker"/>), and everything below it is done
/// relative to descriptors whose owner and mode were checked. Writes go to a fixed temp name
/// in ~/.ssh, are fsynced and renamed over authorized_keys, so a crash leaves the old file or
/// the new one, never a mix.
/// </summary>
public sealed partial class SecureKeyFileWriter
{
    /// <summary>Upper bound on authorized_keys, read or written: a user cannot make the daemon read gigabytes.</summary>
    public const int MaxFileBytes = 1024 * 1024;

    public const string SshDirectoryName = ".ssh";
    public const string KeyFileName = "authorized_keys";

    /// <summary>Fixed, so a temp left behind by a crash is found and removed by the next write.</summary>
    public const string TempFileName = "authorized_keys.keyagentd-tmp";

    // The user owns ~/.ssh and can flock it too; waiting forever would let them stall every sync.
    private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(10);
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    public FileReadResult ReadAuthorizedKeys(AccountInfo account)
    {
        try
        {
            using UnixFd home = HomeWalker.OpenHome(account)!;
            string sshPath = Join(account.Home, SshDirectoryName);
            using UnixFd? ssh = OpenSshDirectory(home, account, sshPath, create: false, chown: false);
            if (ssh is null)
            {
                return FileReadResult.Missing;
            }
            byte[]? bytes = ReadExisting(ssh, account, Join(sshPath, KeyFileName));
            return bytes is null ? FileReadResult.Missing : FileReadResult.Ok(Utf8.GetString(bytes));
        }
        catch (FileRefusalException e)
        {
            return FileReadResult.Refused(e.Refusal);
        }
    }

    public FileWriteResult WriteAuthorizedKeys(AccountInfo account, string content)
    {
        byte[] bytes = Utf8.GetBytes(content);
        string sshPath = Join(account.Home, SshDirectoryName);
        string filePath = Join(sshPath, KeyFileName);
        if (bytes.Length > MaxFileBytes)
        {
            return FileWriteResult.Refused(new(FileRefusal.FileTooLarge, $"new content for {filePath} is {bytes.Length} bytes, over the {MaxFileBytes}-byte bound"));
        }
        try
        {
            bool chown = MustChown(account);
            using UnixFd home = HomeWalker.OpenHome(account)!;
            using UnixFd ssh = OpenSshDirectory(home, account, sshPath, create: true, chown)!;
            Lock(ssh, sshPath);
            string tempPath = Join(sshPath, TempFileName);
            Posix.UnlinkIfPresent(ssh, TempFileName, tempPath);
            if (IsUnchanged(ssh, account, bytes, filePath, chown))
            {
                return FileWriteResult.Unchanged;
            }
            Replace(ssh, account, bytes, chown, sshPath, tempPath);
            return FileWriteResult.Written;
        }
        catch (FileRefusalException e)
        {
            return FileWriteResult.Refused(e.Refusal);
        }
    }

    /// <summary>
    /// Root gives the files to the user. An unprivileged run (a demo, a test sandbox) can only
    /// manage its own account, where the files are the user's already.
    /// </summary>
    private static bool MustChown(AccountInfo account)
    {
        uint euid = Syscall.geteuid();
        if (euid == 0)
        {
            return true;
        }
        if (euid == account.Uid)
        {
            return false;
        }
        throw new FileRefusalException(new(FileRefusal.NeedsRoot,
            $"running as uid {euid}, not root: cannot create files owned by {account.Name} ({account.Uid})"));
    }

    /// <summary>Opens ~/.ssh (creating it 0700 and owned by the user when asked); null when missing and not creating.</summary>
    private static UnixFd? OpenSshDirectory(UnixFd home, AccountInfo account, string sshPath, bool create, bool chown)
    {
        UnixFd? ssh = Posix.TryOpenAt(home, SshDirectoryName, Posix.DirectoryFlags, out Errno errno);
        bool created = false;
        if (ssh is null && errno == Errno.ENOENT && create)
        {
            if (Syscall.mkdirat(home.Value, SshDirectoryName, Posix.Mode0700) == 0)
            {
                created = true;
            }
            else if (Posix.LastError() is var mkdirErrno && mkdirErrno != Errno.EEXIST)
            {
                Posix.ThrowIoError(mkdirErrno, "mkdirat", sshPath);
            }
            ssh = Posix.TryOpenAt(home, SshDirectoryName, Posix.DirectoryFlags, out errno);
        }
        if (ssh is null)
        {
            if (errno == Errno.ENOENT && !create)
            {
                return null;
            }
            throw new FileRefusalException(WhySshDirectoryNotOpened(home, sshPath, errno));
        }
        try
        {
            Stat st = Posix.Fstat(ssh, sshPath);
            // Only fix up the directory we made ourselves; if the user swapped in their own
            // between mkdirat and openat, it is checked like any existing one.
            if (created && st.st_uid == Syscall.geteuid())
            {
                if (chown && Syscall.fchown(ssh.Value, account.Uid, account.Gid) != 0)
                {
                    Posix.ThrowIoError(Posix.LastError(), "fchown", sshPath);
                }
                if (Syscall.fchmod(ssh.Value, Posix.Mode0700) != 0)
                {
                    Posix.ThrowIoError(Posix.LastError(), "fchmod", sshPath);
                }
                st = Posix.Fstat(ssh, sshPath);
            }
            if (StrictModes.SshDirectory(st, account, sshPath) is { } problem)
            {
                throw new FileRefusalException(problem);
            }
            return ssh;
        }
        catch
        {
            ssh.Dispose();
            throw;
        }
    }

    private static FileRefusal WhySshDirectoryNotOpened(UnixFd home, string sshPath, Errno errno)
    {
        if (errno is Errno.ELOOP or Errno.ENOTDIR)
        {
            Stat? st = Posix.LstatAt(home, SshDirectoryName, sshPath);
            if (st is { } s && !Posix.IsSymlink(s))
            {
                return new(FileRefusal.SshDirNotDirectory, $"{sshPath} is {Posix.Describe(s)}, not a directory");
            }
            return new(FileRefusal.SshDirSymlink, $"{sshPath} is a symlink");
        }
        return Posix.IoError(errno, "openat", sshPath);
    }

    private static void Lock(UnixFd ssh, string sshPath)
    {
        DateTime deadline = DateTime.UtcNow + LockTimeout;
        while (LibC.Flock(ssh.Value, LibC.LOCK_EX | LibC.LOCK_NB) != 0)
        {
            Errno errno = NativeConvert.ToErrno(System.Runtime.InteropServices.Marshal.GetLastPInvokeError());
            if (errno == Errno.EINTR)
            {
                continue;
            }
            if (errno != Errno.EWOULDBLOCK || DateTime.UtcNow >= deadline)
            {
                Posix.ThrowIoError(errno, "flock(LOCK_EX)", sshPath);
            }
            Thread.Sleep(50);
        }
    }

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
    private static bool IsUnchanged(UnixFd ssh, AccountInfo account, byte[] bytes, string filePath, bool chown)
    {
        Stat? st = Posix.LstatAt(ssh, KeyFileName, filePath);
        if (st is not { } s)
        {
            return false;
        }
        if (StrictModes.KeyFile(s, account, filePath) is { } problem)
        {
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
            // The rename is only durable once the directory is; until then a crash may bring back the old file.
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

    internal static string Join(string directory, string name) =>
        directory.EndsWith('/') ? directory + name : directory + "/" + name;
}
