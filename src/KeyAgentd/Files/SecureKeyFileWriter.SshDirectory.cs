using KeyAgentd.Accounts;
using Mono.Unix.Native;

namespace KeyAgentd.Files;

/// <summary>~/.ssh: open or create it, check it, lock it.</summary>
public sealed partial class SecureKeyFileWriter
{
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

    /// <summary>
    /// Serializes writers of one account (two daemons, or a sync racing a manual run) for the
    /// whole check-compare-replace sequence; the lock goes away with the descriptor.
    /// Reading needs none: rename makes every read see a whole file.
    /// </summary>
    private static void Lock(UnixFd ssh, string sshPath)
    {
        long deadline = Environment.TickCount64 + (long)LockTimeout.TotalMilliseconds;
        while (LibC.Flock(ssh.Value, LibC.LOCK_EX | LibC.LOCK_NB) != 0)
        {
            Errno errno = NativeConvert.ToErrno(System.Runtime.InteropServices.Marshal.GetLastPInvokeError());
            if (errno == Errno.EINTR)
            {
                continue;
            }
            if (errno != Errno.EWOULDBLOCK || Environment.TickCount64 >= deadline)
            {
                Posix.ThrowIoError(errno, "flock(LOCK_EX)", sshPath);
            }
            Thread.Sleep(50);
        }
    }
}
