using KeyAgentd.Accounts;
using KeyAgentd.Storage;
using Microsoft.Win32.SafeHandles;
using Mono.Unix.Native;

namespace KeyAgentd.Homes;

/// <summary>
/// `doctor`: the same walk as a write, creating nothing, reporting every path instead of
/// stopping at the first problem, with what sshd would log about it.
/// </summary>
public sealed partial class HomeKeyFiles
{
    public HomeInspection Inspect(AccountInfo account)
    {
        var findings = new List<HomeFinding>();
        try
        {
            string normalizedHome = account.Home.Length > 1 ? account.Home.TrimEnd('/') : account.Home;
            using SafeFileHandle? home = HomeWalker.OpenHome(account, (path, st, problem) =>
                findings.Add(DirectoryFinding(path, st, problem, isHome: path == normalizedHome)));
            if (home is not null)
            {
                InspectSshDirectory(home, account, findings);
            }
        }
        catch (FileRefusalException e)
        {
            findings.Add(new HomeFinding(account.Home, null, null, FindingSeverity.Error, e.Refusal.Code, e.Refusal.Message, null));
        }
        catch (PosixException e)
        {
            var refusal = FileRefusal.IoFailure(e);
            findings.Add(new HomeFinding(account.Home, null, null, FindingSeverity.Error, refusal.Code, refusal.Message, null));
        }
        return new HomeInspection(account.Name, findings);
    }

    private static HomeFinding DirectoryFinding(string path, Stat? st, FileRefusal? problem, bool isHome)
    {
        uint? owner = st?.st_uid;
        string? mode = st is { } s ? Posix.Octal(s) : null;
        if (problem is null)
        {
            return new HomeFinding(path, owner, mode, FindingSeverity.Ok, null, isHome ? "home directory ok" : "ok", null);
        }
        string? sshd = problem.Code switch
        {
            FileRefusal.HomeWrongOwner or FileRefusal.HomeWritable => BadModes("directory", path),
            _ => null,
        };
        string message = problem.Code is FileRefusal.PathWrongOwner or FileRefusal.PathWritable
            ? problem.Message + "; sshd does not check above the home, but keyagentd will not write through it"
            : problem.Message;
        return new HomeFinding(path, owner, mode, FindingSeverity.Error, problem.Code, message, sshd);
    }

    private static void InspectSshDirectory(SafeFileHandle home, AccountInfo account, List<HomeFinding> findings)
    {
        string sshPath = Join(account.Home, SshDirectoryName);
        Stat? named = Posix.LstatAt(home, SshDirectoryName, sshPath);
        if (named is null)
        {
            findings.Add(new HomeFinding(sshPath, null, null, FindingSeverity.Warning, FileRefusal.SshDirMissing,
                $"{sshPath} does not exist: no key file, so only an AuthorizedKeysCommand can let this user in (keyagentd creates it on the next write)", null));
            return;
        }
        SafeFileHandle? ssh = Posix.TryOpenAt(home, SshDirectoryName, Posix.DirectoryFlags, out Errno errno);
        if (ssh is null)
        {
            FileRefusal stop = WhySshDirectoryNotOpened(home, sshPath, errno);
            findings.Add(new HomeFinding(sshPath, named.Value.st_uid, Posix.Octal(named.Value), FindingSeverity.Error, stop.Code,
                stop.Message + (stop.Code == FileRefusal.SshDirSymlink ? "; sshd follows it, keyagentd will not write through it" : ""), null));
            return;
        }
        using (ssh)
        {
            Stat st = Posix.Fstat(ssh, sshPath);
            FileRefusal? problem = StrictModes.SshDirectory(st, account, sshPath);
            // sshd accepts a root-owned ~/.ssh; keyagentd does not write into one.
            bool sshdRefuses = problem is not null
                && (problem.Code == FileRefusal.SshDirWritable || (problem.Code == FileRefusal.SshDirWrongOwner && st.st_uid != 0));
            string message = problem is null ? "ok"
                : sshdRefuses ? problem.Message
                : problem.Message + "; sshd accepts a root-owned ~/.ssh, keyagentd will not write into it";
            findings.Add(new HomeFinding(sshPath, st.st_uid, Posix.Octal(st), problem is null ? FindingSeverity.Ok : FindingSeverity.Error,
                problem?.Code, message, sshdRefuses ? BadModes("directory", sshPath) : null));
            InspectKeyFile(ssh, account, Join(sshPath, KeyFileName), findings);
        }
    }

    private static void InspectKeyFile(SafeFileHandle ssh, AccountInfo account, string filePath, List<HomeFinding> findings)
    {
        Stat? named = Posix.LstatAt(ssh, KeyFileName, filePath);
        if (named is not { } st)
        {
            findings.Add(new HomeFinding(filePath, null, null, FindingSeverity.Warning, FileRefusal.FileMissing,
                $"{filePath} does not exist: no file-based keys for this user", null));
            return;
        }
        string mode = Posix.Octal(st);
        FileRefusal? problem = StrictModes.KeyFile(st, account, filePath);
        if (problem is not null)
        {
            string? sshd = problem.Code switch
            {
                FileRefusal.FileNotRegular => $"Authentication refused: {filePath} is not a regular file",
                FileRefusal.FileWrongOwner when st.st_uid != 0 => BadModes("file", filePath),
                _ => null,
            };
            findings.Add(new HomeFinding(filePath, st.st_uid, mode, FindingSeverity.Error, problem.Code, problem.Message, sshd));
            return;
        }
        uint bits = Posix.PermissionBits(st);
        if ((bits & Posix.GroupOrWorldWritable) != 0)
        {
            findings.Add(new HomeFinding(filePath, st.st_uid, mode, FindingSeverity.Error, FileRefusal.FileWritable,
                $"{filePath} is group/world-writable (mode {mode}); keyagentd's next write makes it 0600", BadModes("file", filePath)));
        }
        else if (st.st_size > MaxFileBytes)
        {
            findings.Add(new HomeFinding(filePath, st.st_uid, mode, FindingSeverity.Error, FileRefusal.FileTooLarge, TooLarge(filePath).Message, null));
        }
        else if (bits != (uint)Posix.Mode0600)
        {
            findings.Add(new HomeFinding(filePath, st.st_uid, mode, FindingSeverity.Warning, FileRefusal.FileMode,
                $"{filePath} has mode {mode}; sshd accepts it, keyagentd writes 0600", null));
        }
        else
        {
            findings.Add(new HomeFinding(filePath, st.st_uid, mode, FindingSeverity.Ok, null, "ok", null));
        }
    }

    private static string BadModes(string kind, string path) => $"Authentication refused: bad ownership or modes for {kind} {path}";
}
