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
    /// Creates the state directory and keys/ if missing and repairs them if loose. The state directory is
    /// given back to the daemon's own uid (root) when another user owns it, and group/world write is
    /// taken away, through its descriptor (fchown, fchmod), never by path. keys/ is not repaired in place
    /// when it, or the state directory, was open to others: see <see cref="SetAside"/>. Each repair is
    /// returned, for the log and the audit.
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
        // From here on only root can change the state directory's entries: what lstat says of keys/ stays true.
        string keysPath = Path.Combine(path, keysDirectoryName);
        if (Posix.LstatAt(state, keysDirectoryName, keysPath) is { } st)
        {
            if (!Posix.IsDirectory(st))
            {
                Posix.UnlinkIfPresent(state, keysDirectoryName, keysPath);
                repairs.Add(new StateDirectoryRepair(keysPath, $"was {Posix.Describe(st)} (owner {st.st_uid}), not a directory; removed"));
            }
            else if (repairs.Count > 0 || Looseness(st) is not null)
            {
                repairs.Add(SetAside(state, keysDirectoryName, keysPath, st));
            }
        }
        if (Posix.MkdirAt(state, keysDirectoryName, Mode, keysPath))
        {
            using SafeFileHandle created = Posix.TryOpenAt(state, keysDirectoryName, Posix.DirectoryFlags, out Errno errno) ?? throw new PosixException(errno, "openat", keysPath);
            Posix.Fchmod(created, Mode, keysPath);
        }
        return repairs;
    }

    /// <summary>
    /// keys/ found open to others (or inside a state directory that was): replaced by a new, empty
    /// directory, the old one renamed aside and emptied. Narrowing it in place would not do: while it
    /// was open anyone could rename one root-owned cache over another name (keys/deploy to keys/root),
    /// and such a file is root's, so keyagentd-keys would serve it once the directory is narrowed, while
    /// no cycle rewrites the cache of an account keyagentd does not manage. Emptying it first would
    /// leave a moment for a new one to be planted before the narrowing. A fresh directory holds nothing
    /// anyone else put there, and the helper, which checks the directory it opened the cache in, never
    /// sees the old one as safe. This cycle writes each managed account's cache afresh.
    /// </summary>
    private static StateDirectoryRepair SetAside(SafeFileHandle state, string keysDirectoryName, string keysPath, in Stat st)
    {
        string aside = $"{keysDirectoryName}.set-aside-{Guid.NewGuid():N}";
        Posix.RenameAt(state, keysDirectoryName, aside, keysPath);
        string asidePath = Path.Combine(Path.GetDirectoryName(keysPath)!, aside);
        string why = Looseness(st) ?? "was in a state directory open to others";
        string? left = RemoveAside(state, aside, asidePath, out int removed);
        return new StateDirectoryRepair(keysPath,
            $"{why}; replaced by a new directory (a file renamed into it meanwhile would be root's and served), " +
            (left is null ? $"the old one and its {removed} file(s) removed" : $"the old one left as {asidePath}: {left}"));
    }

    /// <summary>Empties and removes the set-aside directory through descriptors; null when done, else why it was left.</summary>
    private static string? RemoveAside(SafeFileHandle state, string aside, string asidePath, out int removed)
    {
        removed = 0;
        try
        {
            using (SafeFileHandle old = Posix.TryOpenAt(state, aside, Posix.DirectoryFlags, out Errno errno) ?? throw new PosixException(errno, "openat", asidePath))
            {
                foreach (string entry in Directory.EnumerateFileSystemEntries($"/proc/self/fd/{Posix.Fd(old)}"))
                {
                    string name = Path.GetFileName(entry);
                    Posix.UnlinkIfPresent(old, name, Path.Combine(asidePath, name));
                    removed++;
                }
            }
            Posix.RemoveDirectoryAt(state, aside, asidePath);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Nothing reads the set-aside directory; what could not be removed (a subdirectory, no /proc to list
            // it through) stays there for the administrator.
            return e.Message;
        }
    }

    /// <summary>Why keyagentd-keys would refuse <paramref name="st"/> as a directory above a cache, or null.</summary>
    private static string? Looseness(in Stat st)
    {
        var why = new List<string>();
        if (st.st_uid != Syscall.geteuid())
        {
            why.Add($"was owned by uid {st.st_uid}");
        }
        if ((Posix.PermissionBits(st) & Posix.GroupOrWorldWritable) != 0)
        {
            why.Add($"was mode {Posix.Octal(st)}, writable by group or others");
        }
        return why.Count == 0 ? null : string.Join(", ", why);
    }

    /// <summary>
    /// What keyagentd-keys would refuse about <paramref name="cacheName"/>'s cache, keys/, the state
    /// directory (resolved) and every directory above them (the same rule: root-owned, not group/world-writable,
    /// up to /), for `doctor`. Reads only; what does not exist is not a problem here.
    /// </summary>
    public static IReadOnlyList<string> Problems(string directory, string keysDirectoryName, string cacheName)
    {
        var problems = new List<string>();
        // Resolved, as keyagentd-keys resolves it: through a configured link, what it judges is the target and what lies above that.
        string path = Posix.TryRealPath(directory, out _) ?? Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
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
