using KeyAgentd.Storage;
using Microsoft.Win32.SafeHandles;
using Mono.Unix.Native;

namespace KeyAgentd.State;

/// <summary>
/// The one place that creates the state directory and keys/ inside it, so its mode no longer
/// depends on which code happens to create it first, and that keeps both as keyagentd-keys demands
/// before it serves a cache: owned by the daemon (root) and not group- or world-writable.
/// </summary>
/// <remarks>
/// 0755, not 0750: keyagentd-keys runs as sshd's AuthorizedKeysCommandUser (an unprivileged user
/// such as keyagentd or nobody, never in root's group) and opens state-dir/keys/&lt;user&gt;, so it
/// must be able to pass through both directories. Under 0750 it would find no keys and every
/// helper-only login would fail. What must stay private is kept so by each file's own mode
/// (snapshot.json and sync.lock 0600, managed-accounts.json and audit.head 0640); what the helper
/// reads is public keys (keys/&lt;user&gt; 0644). The unit's StateDirectoryMode and the package's
/// postinst say 0755 too. A directory that already exists keeps a tighter mode (0700 is the
/// administrator's choice), but never a looser one: whoever can write keys/ can plant keys/&lt;user&gt;.
/// </remarks>
internal static class StateDirectory
{
    public const FilePermissions Mode = Posix.Mode0755;

    /// <summary>Creates <paramref name="directory"/> (and missing parents) with <see cref="Mode"/>, whatever the umask.</summary>
    /// <exception cref="PosixException">mkdir or chmod failed.</exception>
    public static void Create(string directory) => Posix.CreateDirectories(directory, Mode);

    /// <summary>
    /// Creates the state directory and keys/ if missing and repairs them if loose: given back to the
    /// daemon's own uid (root) when another user owns them, group/world write taken away, and keys/
    /// made a directory again if something else (a symlink planted while the state directory was
    /// writable) stands in its place. Done through descriptors (fchown, fchmod; keys/ opened with
    /// O_NOFOLLOW below the opened state directory), never by path. Each repair is returned, for the log and the audit.
    /// </summary>
    /// <exception cref="PosixException">A call failed; or, unprivileged, a directory belongs to someone else (only root can give it back).</exception>
    public static IReadOnlyList<StateDirectoryRepair> Secure(string directory, string keysDirectoryName)
    {
        Create(directory);
        var repairs = new List<StateDirectoryRepair>();
        string path = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        // The configured path itself is the administrator's (it may be a link they made); everything below it is ours.
        using SafeFileHandle state = Posix.Open(path, OpenFlags.O_RDONLY | OpenFlags.O_DIRECTORY);
        Tighten(state, path, repairs);
        string keysPath = Path.Combine(path, keysDirectoryName);
        if (Posix.LstatAt(state, keysDirectoryName, keysPath) is { } st && !Posix.IsDirectory(st))
        {
            Posix.UnlinkIfPresent(state, keysDirectoryName, keysPath);
            repairs.Add(new StateDirectoryRepair(keysPath, $"was {Posix.Describe(st)} (owner {st.st_uid}), not a directory; removed"));
        }
        if (Posix.MkdirAt(state, keysDirectoryName, Mode, keysPath))
        {
            using SafeFileHandle created = Posix.TryOpenAt(state, keysDirectoryName, Posix.DirectoryFlags, out Errno errno) ?? throw new PosixException(errno, "openat", keysPath);
            Posix.Fchmod(created, Mode, keysPath);
            return repairs;
        }
        using SafeFileHandle keys = Posix.TryOpenAt(state, keysDirectoryName, Posix.DirectoryFlags, out Errno openErrno) ?? throw new PosixException(openErrno, "openat", keysPath);
        Tighten(keys, keysPath, repairs);
        return repairs;
    }

    /// <summary>
    /// What keyagentd-keys would refuse about <paramref name="cacheName"/>'s cache, keys/, the state
    /// directory and every directory above them (the same rule: root-owned, not group/world-writable,
    /// up to /), for `doctor`. Reads only; what does not exist is not a problem here.
    /// </summary>
    public static IReadOnlyList<string> Problems(string directory, string keysDirectoryName, string cacheName)
    {
        var problems = new List<string>();
        string path = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        for (string? dir = Path.Combine(path, keysDirectoryName, cacheName); dir is not null; dir = Path.GetDirectoryName(dir))
        {
            if (Syscall.stat(dir, out Stat st) != 0)
            {
                continue;
            }
            if (st.st_uid != 0 || (Posix.PermissionBits(st) & Posix.GroupOrWorldWritable) != 0)
            {
                problems.Add($"{dir} (owner {st.st_uid}, mode {Posix.Octal(st)}) must be root-owned and not group/world-writable");
            }
        }
        return problems;
    }

    private static void Tighten(SafeFileHandle directory, string path, List<StateDirectoryRepair> repairs)
    {
        Stat st = Posix.Fstat(directory, path);
        uint owner = Syscall.geteuid();
        if (st.st_uid != owner)
        {
            if (owner != 0)
            {
                Posix.Throw(Errno.EPERM, $"fchown (owned by uid {st.st_uid}, not {owner}; only root can take it back)", path);
            }
            Posix.Fchown(directory, owner, 0, path);
            repairs.Add(new StateDirectoryRepair(path, $"was owned by uid {st.st_uid}; given back to root"));
        }
        uint bits = Posix.PermissionBits(st);
        if ((bits & Posix.GroupOrWorldWritable) != 0)
        {
            // chown may have cleared set-id bits: the mode read before it is what is narrowed.
            var narrowed = (FilePermissions)(bits & ~Posix.GroupOrWorldWritable);
            Posix.Fchmod(directory, narrowed, path);
            repairs.Add(new StateDirectoryRepair(path, $"was mode {Posix.Octal(st)}, writable by group or others; now 0{Convert.ToString((uint)narrowed, 8)}"));
        }
    }
}
