using KeyAgentd.Accounts;
using KeyAgentd.Storage;
using Microsoft.Win32.SafeHandles;
using Mono.Unix.Native;

namespace KeyAgentd.Homes;

/// <summary>~/.ssh: open or create it, check it.</summary>
public sealed partial class HomeKeyFiles
{
    /// <summary>Opens ~/.ssh (creating it 0700 and owned by the user when asked); null when missing and not creating.</summary>
    private static SafeFileHandle? OpenSshDirectory(SafeFileHandle home, AccountInfo account, string sshPath, bool create, bool chown)
    {
        SafeFileHandle? ssh = Posix.TryOpenAt(home, SshDirectoryName, Posix.DirectoryFlags, out Errno errno);
        if (ssh is null && !(errno == Errno.ENOENT && create))
        {
            return errno == Errno.ENOENT ? null : throw new FileRefusalException(WhySshDirectoryNotOpened(home, sshPath, errno));
        }
        if (ssh is not null)
        {
            try
            {
                Stat st = Posix.Fstat(ssh, sshPath);
                if (st.st_uid == account.Uid)
                {
                    return Checked(ssh, st, account, sshPath);
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
        FileLock.Acquire(home, account.Home, LockTimeout);
        try
        {
            return OpenOrCreateLocked(home, account, sshPath, create, chown);
        }
        finally
        {
            FileLock.Release(home);
        }
    }

    private static SafeFileHandle? OpenOrCreateLocked(SafeFileHandle home, AccountInfo account, string sshPath, bool create, bool chown)
    {
        SafeFileHandle? ssh = Posix.TryOpenAt(home, SshDirectoryName, Posix.DirectoryFlags, out Errno errno);
        bool created = false;
        if (ssh is null && errno == Errno.ENOENT && create)
        {
            created = Posix.MkdirAt(home, SshDirectoryName, Posix.Mode0700, sshPath);
            ssh = Posix.TryOpenAt(home, SshDirectoryName, Posix.DirectoryFlags, out errno);
        }
        if (ssh is null)
        {
            return errno == Errno.ENOENT && !create ? null : throw new FileRefusalException(WhySshDirectoryNotOpened(home, sshPath, errno));
        }
        Stat st;
        try
        {
            st = Posix.Fstat(ssh, sshPath);
            // Only fix up the directory we made ourselves; if the user swapped in their own
            // between mkdirat and openat, it is checked like any existing one.
            if (created && st.st_uid == Syscall.geteuid())
            {
                if (chown)
                {
                    Posix.Fchown(ssh, account.Uid, account.Gid, sshPath);
                }
                Posix.Fchmod(ssh, Posix.Mode0700, sshPath);
                st = Posix.Fstat(ssh, sshPath);
            }
        }
        catch
        {
            ssh.Dispose();
            throw;
        }
        return Checked(ssh, st, account, sshPath);
    }

    /// <summary>Returns the descriptor if ~/.ssh (<paramref name="st"/>, its fstat) passes the checks; disposes it and throws otherwise.</summary>
    private static SafeFileHandle Checked(SafeFileHandle ssh, in Stat st, AccountInfo account, string sshPath)
    {
        try
        {
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

    private static FileRefusal WhySshDirectoryNotOpened(SafeFileHandle home, string sshPath, Errno errno)
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
        return FileRefusal.IoFailure(new PosixException(errno, "openat", sshPath));
    }
}
