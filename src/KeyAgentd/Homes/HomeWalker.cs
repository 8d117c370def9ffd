using KeyAgentd.Accounts;
using KeyAgentd.Storage;
using Microsoft.Win32.SafeHandles;
using Mono.Unix.Native;

namespace KeyAgentd.Homes;

/// <summary>
/// Opens the home directory one component at a time from "/", each with O_NOFOLLOW, checking
/// every directory on the way. The result is a descriptor for the directory that was checked,
/// so nothing later depends on a path that could have been swapped since.
/// </summary>
internal static class HomeWalker
{
    /// <summary>Sees every directory walked (with its problem, if any) and every fatal stop.</summary>
    public delegate void Observer(string path, Stat? stat, FileRefusal? problem);

    /// <summary>
    /// Without an observer, the first problem throws <see cref="FileRefusalException"/>.
    /// With one, ownership/mode problems are reported and the walk goes on; a stop (missing,
    /// symlink, not a directory, failed openat) is reported and null is returned. A failed fstat
    /// throws <see cref="PosixException"/> either way. With <paramref name="ancestors"/>, the
    /// directories above the home are taken from it and kept in it (see <see cref="HomeAncestors"/>).
    /// </summary>
    public static SafeFileHandle? OpenHome(AccountInfo account, Observer? observer = null, HomeAncestors? ancestors = null)
    {
        string[] components = Split(account.Home);
        string path = "/";
        // A descriptor from the ancestors is theirs to close: "kept" says whose "current" is.
        HomeAncestors.Opened? kept = null;
        SafeFileHandle? current = null;
        try
        {
            if (ancestors is not null && components.Length > 0 && ancestors.TryGet(path, out var root))
            {
                kept = root;
            }
            else
            {
                current = Posix.OpenRoot();
            }
            for (int i = 0; ; i++)
            {
                bool isHome = i == components.Length;
                Stat st;
                if (kept is not null)
                {
                    st = kept.Stat;
                }
                else
                {
                    st = Posix.Fstat(current!, path);
                    if (ancestors is not null && !isHome)
                    {
                        kept = ancestors.Keep(path, current!, st);
                        current = null;
                        st = kept.Stat;
                    }
                }
                FileRefusal? problem = isHome ? StrictModes.Home(st, account, path) : StrictModes.Ancestor(st, account, path);
                if (observer is null)
                {
                    if (problem is not null)
                    {
                        throw new FileRefusalException(problem);
                    }
                }
                else
                {
                    observer(path, st, problem);
                }
                if (isHome)
                {
                    SafeFileHandle home = current!;
                    current = null;
                    return home;
                }

                string name = components[i];
                string childPath = path == "/" ? "/" + name : path + "/" + name;
                bool childIsHome = i == components.Length - 1;
                if (ancestors is not null && !childIsHome && ancestors.TryGet(childPath, out var known))
                {
                    current?.Dispose();
                    current = null;
                    kept = known;
                    path = childPath;
                    continue;
                }
                var parent = kept?.Handle ?? current!;
                SafeFileHandle? child = Posix.TryOpenAt(parent, name, Posix.DirectoryFlags, out Errno errno);
                if (child is null)
                {
                    FileRefusal stop = WhyNotOpened(parent, name, childPath, errno, isLast: childIsHome);
                    if (observer is null)
                    {
                        throw new FileRefusalException(stop);
                    }
                    observer(childPath, null, stop);
                    return null;
                }
                current?.Dispose();
                current = child;
                kept = null;
                path = childPath;
            }
        }
        finally
        {
            current?.Dispose();
        }
    }

    /// <summary>
    /// The home's lstat, taken in the directory above it, when every directory above it passes this account's
    /// checks (each opened as <see cref="OpenHome"/> opens it, or taken from <paramref name="ancestors"/>, and
    /// kept there) and the home is a directory that passes them too; null otherwise (the caller then walks with
    /// <see cref="OpenHome"/>, which reports whatever is wrong). Opens nothing of the home: for telling that a
    /// home is as it was, not for reading or writing in it.
    /// </summary>
    public static (SafeFileHandle Parent, string Name, Stat Home)? StatHome(AccountInfo account, HomeAncestors ancestors)
    {
        string home = account.Home;
        int slash = home.LastIndexOf('/');
        string name = slash < 0 ? "" : home[(slash + 1)..];
        if (slash < 0 || name.Length == 0 || name == "." || name == ".." || name.Contains('\0', StringComparison.Ordinal))
        {
            return null;
        }
        string parent = slash == 0 ? "/" : home[..slash];
        if (ancestors.ChainTo(parent) is not { } chain)
        {
            chain = ancestors.KeepChain(parent, Chain(parent, ancestors));
        }
        if (chain.Count == 0)
        {
            return null;
        }
        // Every directory above is judged for this account, as the walk judges it.
        foreach (var (path, directory) in chain)
        {
            if (StrictModes.Ancestor(directory.Stat, account, path) is not null)
            {
                return null;
            }
        }
        var above = chain[^1].Directory;
        return Posix.LstatAt(above.Handle, name, home) is { } st && Posix.IsDirectory(st) && StrictModes.Home(st, account, home) is null
            ? (above.Handle, name, st)
            : null;
    }

    /// <summary>"/" down to <paramref name="parent"/>, each directory opened as <see cref="OpenHome"/> opens it (or kept from a walk); empty when one cannot be.</summary>
    private static List<(string Path, HomeAncestors.Opened Directory)> Chain(string parent, HomeAncestors ancestors)
    {
        string[] components = Split(parent);
        var chain = new List<(string, HomeAncestors.Opened)>(components.Length + 1);
        HomeAncestors.Opened? above = null;
        string path = "/";
        for (int i = 0; ; i++)
        {
            if (!ancestors.TryGet(path, out var kept))
            {
                SafeFileHandle? opened = above is null ? Posix.OpenRoot() : Posix.TryOpenAt(above.Handle, components[i - 1], Posix.DirectoryFlags, out _);
                if (opened is null)
                {
                    return [];
                }
                Stat st;
                try
                {
                    st = Posix.Fstat(opened, path);
                }
                catch
                {
                    opened.Dispose();
                    throw;
                }
                kept = ancestors.Keep(path, opened, st);
            }
            chain.Add((path, kept));
            above = kept;
            if (i == components.Length)
            {
                return chain;
            }
            path = path == "/" ? "/" + components[i] : path + "/" + components[i];
        }
    }

    private static FileRefusal WhyNotOpened(SafeFileHandle parent, string name, string path, Errno errno, bool isLast)
    {
        switch (errno)
        {
            case Errno.ENOENT:
                return new(FileRefusal.HomeMissing, isLast ? $"home {path} does not exist" : $"{path} (on the way to the home) does not exist");
            case Errno.ELOOP:
                return new(FileRefusal.PathSymlink, $"{path} is a symlink");
            case Errno.ENOTDIR:
                // O_NOFOLLOW|O_DIRECTORY on a symlink may report ENOTDIR rather than ELOOP: look at what it is.
                Stat? st = Posix.LstatAt(parent, name, path);
                if (st is { } s && Posix.IsSymlink(s))
                {
                    return new(FileRefusal.PathSymlink, $"{path} is a symlink");
                }
                return new(FileRefusal.HomeNotDirectory, st is { } t ? $"{path} is {Posix.Describe(t)}, not a directory" : $"{path} is not a directory");
            default:
                return FileRefusal.IoFailure(new PosixException(errno, "openat", path));
        }
    }

    /// <summary>Components of an absolute, normalized home; no ".", "..", empty components or NUL.</summary>
    public static string[] Split(string home)
    {
        if (string.IsNullOrEmpty(home) || home[0] != '/' || home.Contains('\0', StringComparison.Ordinal))
        {
            throw new FileRefusalException(new(FileRefusal.HomeInvalid, $"home \"{home}\" is not an absolute path"));
        }
        if (home == "/")
        {
            return [];
        }
        string[] components = home[1..].Split('/');
        foreach (string component in components)
        {
            if (component.Length == 0 || component == "." || component == "..")
            {
                throw new FileRefusalException(new(FileRefusal.HomeInvalid, $"home \"{home}\" is not a normalized path"));
            }
        }
        return components;
    }
}
