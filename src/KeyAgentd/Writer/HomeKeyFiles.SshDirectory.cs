using KeyAgentd.Accounts;
using Mono.Unix.Native;

namespace KeyAgentd.Writer;

/// <summary>~/.ssh: open or create it, check it, lock it.</summary>
public sealed partial class HomeKeyFiles
{
    /// <summary>Opens ~/.ssh (creating it 0700 and owned by the user when asked); null when missing and not creating.</summary>
    private static UnixFd? OpenSshDirectory(UnixFd home, AccountInfo account, string sshPath, bool create, bool chown)
    {
        UnixFd? ssh = Posix.TryOpenAt(home, SshDirectoryName, Posix.DirectoryFlags, out Errno errno);
        if (ssh is null && !(errno == Errno.ENOENT && create))
        {
            return errno == Errno.ENOENT ? null : throw new FileRefusalException(WhySshDirectoryNotOpened(home, sshPath, errno));
        }
        if (ssh is not null)
        {
            try
            {
                if (Posix.Fstat(ssh, sshPath).st_uid == account.Uid)
                {
                    return Checked(ssh, account, sshPath);
                }
            }
            catch
            {
                ssh.Dispose();
                throw;
            }
            ssh.Dispose();
        }
        // Missing, or owned by someone else: possibly another writer that has just made it and
        // not yet given it to the user. Creation happens under a lock on the home, so whoever
        // takes the lock next sees the finished directory, not that in-between state.
        Lock(home, account.Home);
        try
        {
            return OpenOrCreateLocked(home, account, sshPath, create, chown);
        }
        finally
        {
            _ = LibC.Flock(home.Value, LibC.LOCK_UN);
        }
    }

    private static UnixFd? OpenOrCreateLocked(UnixFd home, AccountInfo account, string sshPath, bool create, bool chown)
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
            return errno == Errno.ENOENT && !create ? null : throw new FileRefusalException(WhySshDirectoryNotOpened(home, sshPath, errno));
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
            }
        }
        catch
        {
            ssh.Dispose();
            throw;
        }
        return Checked(ssh, account, sshPath);
    }

    /// <summary>Returns the descriptor if ~/.ssh passes the checks; disposes it and throws otherwise.</summary>
    private static UnixFd Checked(UnixFd ssh, AccountInfo account, string sshPath)
    {
        try
        {
            if (StrictModes.SshDirectory(Posix.Fstat(ssh, sshPath), account, sshPath) is { } problem)
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
    /// On ~/.ssh: serializes writers of one account (two threads, or a sync racing a manual run)
    /// for the whole check-compare-replace sequence; it goes away with the descriptor. Reading
    /// needs none: rename makes every read see a whole file. On the home: see OpenSshDirectory.
    /// </summary>
    private static void Lock(UnixFd directory, string path)
    {
        long deadline = Environment.TickCount64 + (long)LockTimeout.TotalMilliseconds;
        while (LibC.Flock(directory.Value, LibC.LOCK_EX | LibC.LOCK_NB) != 0)
        {
            Errno errno = NativeConvert.ToErrno(System.Runtime.InteropServices.Marshal.GetLastPInvokeError());
            if (errno == Errno.EINTR)
            {
                continue;
            }
            if (errno != Errno.EWOULDBLOCK || Environment.TickCount64 >= deadline)
            {
                Posix.ThrowIoError(errno, "flock(LOCK_EX)", path);
            }
            Thread.Sleep(50);
        }
    }
}
