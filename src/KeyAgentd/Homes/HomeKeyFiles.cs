using System.Text;
using KeyAgentd.Accounts;
using KeyAgentd.Storage;
using Microsoft.Win32.SafeHandles;
using Mono.Unix.Native;

namespace KeyAgentd.Homes;

/// <summary>
/// The authorized_keys files in users' homes: read them, replace them, and inspect the path to
/// them for `doctor`. The only code that touches a user's home directory. The daemon runs as root and the home
/// belongs to someone else, so no path string is ever opened as a whole: the home is walked
/// from "/" with O_NOFOLLOW (<see cref="HomeWalker"/>), and everything below it is done
/// relative to descriptors whose owner and mode were checked. Writes go to a fixed temp name
/// in ~/.ssh, are fsynced and renamed over authorized_keys, so a crash leaves the old file or
/// the new one, never a mix.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822", Justification = "A service injected into the engine and the doctor: the one way into a home, not a bag of static helpers.")]
public sealed partial class HomeKeyFiles
{
    /// <summary>Upper bound on authorized_keys, read or written: a user cannot make the daemon read gigabytes.</summary>
    public const int MaxFileBytes = 1024 * 1024;

    public const string SshDirectoryName = ".ssh";
    public const string KeyFileName = "authorized_keys";

    /// <summary>Fixed, so a temp left behind by a crash is found and removed by the next write.</summary>
    public const string TempFileName = "authorized_keys.keyagentd-tmp";

    // The user owns their home and ~/.ssh and can flock them too; waiting forever would let them stall every sync.
    private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(10);
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <param name="ancestors">Directories above the homes already walked in this stage (see <see cref="HomeAncestors"/>).</param>
    public FileReadResult ReadAuthorizedKeys(AccountInfo account, HomeAncestors? ancestors = null)
    {
        try
        {
            using SafeFileHandle home = HomeWalker.OpenHome(account, ancestors: ancestors)!;
            string sshPath = Join(account.Home, SshDirectoryName);
            using SafeFileHandle? ssh = OpenSshDirectory(home, account, sshPath, create: false, chown: false);
            if (ssh is null)
            {
                return FileReadResult.Missing;
            }
            byte[]? bytes = ReadExisting(ssh, account, Join(sshPath, KeyFileName), out var identity);
            return bytes is null ? FileReadResult.Missing : FileReadResult.Ok(Utf8.GetString(bytes), identity);
        }
        catch (FileRefusalException e)
        {
            return FileReadResult.Refused(e.Refusal);
        }
        catch (PosixException e)
        {
            return FileReadResult.Refused(FileRefusal.IoFailure(e));
        }
    }

    /// <summary>
    /// Which bytes authorized_keys holds, without reading them: the same checks as <see cref="ReadAuthorizedKeys"/>
    /// (every directory on the way, the home and ~/.ssh judged, none of them a link; the file judged by its lstat;
    /// see <see cref="TryIdentifyBelow"/> for how it gets there without opening the home), then the file's
    /// identity, or null when it (or ~/.ssh) does not exist. False whenever the read would not be a plain success
    /// (a refusal, an I/O error): the caller then reads, and gets the refusal from there.
    /// </summary>
    internal bool TryIdentifyAuthorizedKeys(AccountInfo account, HomeAncestors? ancestors, out FileIdentity? identity)
    {
        identity = null;
        try
        {
            if (ancestors is not null && HomeWalker.StatHome(account, ancestors) is { } home)
            {
                return TryIdentifyBelow(home.Parent, home.Name, account, out identity);
            }
            using SafeFileHandle opened = HomeWalker.OpenHome(account, ancestors: ancestors)!;
            string sshPath = Join(account.Home, SshDirectoryName);
            using SafeFileHandle? ssh = OpenSshDirectory(opened, account, sshPath, create: false, chown: false);
            if (ssh is null)
            {
                return true;
            }
            return TryIdentify(Posix.LstatAt(ssh, KeyFileName, Join(sshPath, KeyFileName)), account, out identity);
        }
        catch (Exception e) when (e is FileRefusalException or PosixException)
        {
            return false;
        }
    }

    /// <summary>
    /// ~/.ssh and authorized_keys judged by their lstat, taken by name below the checked directory above the
    /// home: two system calls where opening the home and ~/.ssh took seven, which was most of a daemon's
    /// no-change cycle. ~/.ssh is looked at without following a link. The one name followed, ~/.ssh on the way
    /// to the file, can only be swapped by the user between the two calls, and then the file found must still
    /// have the identity (inode, ctime to the nanosecond) the last plan was made from to count: the very bytes
    /// planned from, unchanged. Whatever else the user did shows in the next cycle's lstat of ~/.ssh.
    /// </summary>
    private static bool TryIdentifyBelow(SafeFileHandle parent, string homeName, AccountInfo account, out FileIdentity? identity)
    {
        identity = null;
        string sshPath = Join(account.Home, SshDirectoryName);
        string sshName = homeName + "/" + SshDirectoryName;
        if (Posix.LstatAt(parent, sshName, sshPath) is not { } ssh)
        {
            return true;
        }
        if (!Posix.IsDirectory(ssh) || StrictModes.SshDirectory(ssh, account, sshPath) is not null)
        {
            return false;
        }
        return TryIdentify(Posix.LstatAt(parent, sshName + "/" + KeyFileName, Join(sshPath, KeyFileName)), account, out identity);
    }

    /// <summary>authorized_keys by its lstat: absent (true, no identity), fit to be read (true, its identity), or not (false).</summary>
    private static bool TryIdentify(Stat? file, AccountInfo account, out FileIdentity? identity)
    {
        identity = null;
        if (file is not { } st)
        {
            return true;
        }
        if (StrictModes.KeyFile(st, account, Join(Join(account.Home, SshDirectoryName), KeyFileName)) is not null || st.st_size > MaxFileBytes)
        {
            return false;
        }
        identity = FileIdentity.Of(st);
        return true;
    }

    /// <param name="replaceUnsafeFile">
    /// Replace an authorized_keys entry that cannot be read safely (a symlink, hard link, FIFO,
    /// socket, a file of another owner or over the size bound) instead of refusing. Its content is
    /// never read; renameat swaps the directory entry. For exclusive mode, where nothing of the old
    /// file is kept anyway.
    /// </param>
    public FileWriteResult WriteAuthorizedKeys(AccountInfo account, string content, bool replaceUnsafeFile = false)
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
            using SafeFileHandle home = HomeWalker.OpenHome(account)!;
            using SafeFileHandle ssh = OpenSshDirectory(home, account, sshPath, create: true, chown)!;
            // Serializes writers of one account (two threads, or a sync racing a manual run) for the
            // whole check-compare-replace sequence; it goes away with the descriptor. Reading needs
            // none: rename makes every read see a whole file.
            FileLock.Acquire(ssh, sshPath, LockTimeout);
            string tempPath = Join(sshPath, TempFileName);
            Posix.UnlinkIfPresent(ssh, TempFileName, tempPath);
            if (IsUnchanged(ssh, account, bytes, filePath, chown, replaceUnsafeFile))
            {
                return FileWriteResult.Unchanged;
            }
            DurableFile.Replace(ssh, sshPath, KeyFileName, TempFileName, bytes, Posix.Mode0600, chown ? new(account.Uid, account.Gid) : null);
            return FileWriteResult.Written;
        }
        catch (FileRefusalException e)
        {
            return FileWriteResult.Refused(e.Refusal);
        }
        catch (PosixException e)
        {
            return FileWriteResult.Refused(FileRefusal.IoFailure(e));
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

    internal static string Join(string directory, string name) => DurableFile.Join(directory, name);
}
