using Microsoft.Win32.SafeHandles;
using Mono.Unix.Native;

namespace KeyAgentd.Storage;

/// <summary>
/// Reads a file that decides what root trusts (the configuration, allowed_signers, the revoked
/// signers) only if nobody but root, or the user keyagentd runs as, can have written it: sshd's
/// safe_path rule (misc.c), as sshd applies it to authorized_keys and sudo to sudoers. The file must be
/// a regular file owned by root or the effective uid and not group/world-writable; so must every
/// directory from / down to it, for whoever can rename entries in a directory can swap the file.
/// The one exception is a root-owned sticky directory (/tmp, /var/tmp) above the file's own
/// directory: the sticky bit stops other users renaming or removing entries they do not own, and the
/// entry below it is checked in turn. The file's own directory is never allowed to be writable by
/// others, sticky or not (anyone could plant a hard link or a file there first).
/// A path with symlinks is judged where it points (realpath, as safe_path does); the walk then opens
/// each component with O_NOFOLLOW from its parent's descriptor, so what is judged is what is read.
/// </summary>
internal static class TrustedFile
{
    /// <summary>The checked bytes of <paramref name="path"/>; an <see cref="UnsafeFileException"/> says why not.</summary>
    /// <param name="setting">The setting that names the file, for the message ("Registry:AllowedSignersFile").</param>
    /// <param name="allowEmpty">False for trust roots: an empty file is a truncation, never "nothing to trust".</param>
    public static byte[] Read(string path, string setting, int maxBytes, bool allowEmpty) =>
        Read(path, setting, maxBytes, allowEmpty, Syscall.geteuid());

    /// <param name="euid">The user besides root who may own the file (the effective uid; a parameter for tests).</param>
    internal static byte[] Read(string path, string setting, int maxBytes, bool allowEmpty, uint euid)
    {
        string resolved = Resolve(path, setting);
        try
        {
            return ReadResolved(resolved, setting, maxBytes, allowEmpty, euid);
        }
        catch (UnsafeFileException e) when (resolved != path)
        {
            throw new UnsafeFileException(e.Setting, e.Path, $"{e.Message} (reached through {path})", e.Fix);
        }
    }

    private static byte[] ReadResolved(string resolved, string setting, int maxBytes, bool allowEmpty, uint euid)
    {
        string[] names = resolved.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (names.Length == 0)
        {
            throw Unsafe(setting, resolved, "/ is a directory, not a regular file");
        }
        var directory = Posix.OpenRoot();
        try
        {
            string current = "/";
            CheckDirectory(Posix.Fstat(directory, current), current, setting, euid, holdsTheFile: names.Length == 1);
            for (int i = 0; i < names.Length - 1; i++)
            {
                current = current == "/" ? "/" + names[i] : current + "/" + names[i];
                var next = Posix.TryOpenAt(directory, names[i], Posix.DirectoryFlags, out Errno errno)
                    ?? throw Missing(setting, current, errno);
                directory.Dispose();
                directory = next;
                CheckDirectory(Posix.Fstat(directory, current), current, setting, euid, holdsTheFile: i == names.Length - 2);
            }
            string file = current == "/" ? "/" + names[^1] : current + "/" + names[^1];
            using var handle = Posix.TryOpenAt(directory, names[^1], Posix.ReadFileFlags, out Errno fileErrno)
                ?? throw Missing(setting, file, fileErrno);
            var st = Posix.Fstat(handle, file);
            CheckFile(st, file, setting, maxBytes, allowEmpty, euid);
            byte[] content = Posix.ReadBounded(handle, maxBytes, st.st_size, file, out bool tooLarge);
            if (tooLarge)
            {
                throw Unsafe(setting, file, $"{file} is larger than {maxBytes} bytes");
            }
            if (content.Length == 0 && !allowEmpty)
            {
                throw Unsafe(setting, file, $"{file} is empty");
            }
            return content;
        }
        finally
        {
            directory.Dispose();
        }
    }

    /// <summary>The rule for the file itself: what sshd's safe_path asks of authorized_keys, plus a regular file of bounded size.</summary>
    private static void CheckFile(in Stat st, string file, string setting, int maxBytes, bool allowEmpty, uint euid)
    {
        if (!Posix.IsRegular(st))
        {
            throw Unsafe(setting, file, $"{file} is {Posix.Describe(st)}, not a regular file");
        }
        if (st.st_uid != 0 && st.st_uid != euid)
        {
            throw Unsafe(setting, file, $"{file} is owned by uid {st.st_uid}, not {Owners(euid)}", Fix(file, euid));
        }
        if ((Posix.PermissionBits(st) & Posix.GroupOrWorldWritable) != 0)
        {
            throw Unsafe(setting, file, $"{file} is group/world-writable (mode {Posix.Octal(st)})", Fix(file, euid));
        }
        if (st.st_size > maxBytes)
        {
            throw Unsafe(setting, file, $"{file} is larger than {maxBytes} bytes");
        }
        if (st.st_size == 0 && !allowEmpty)
        {
            throw Unsafe(setting, file, $"{file} is empty");
        }
    }

    private static void CheckDirectory(in Stat st, string directory, string setting, uint euid, bool holdsTheFile)
    {
        if (st.st_uid != 0 && st.st_uid != euid)
        {
            throw Unsafe(setting, directory, $"{directory} is owned by uid {st.st_uid}, not {Owners(euid)}", Fix(directory, euid));
        }
        uint bits = Posix.PermissionBits(st);
        bool stickyRootDirectory = st.st_uid == 0 && (bits & Posix.Sticky) != 0 && !holdsTheFile;
        if ((bits & Posix.GroupOrWorldWritable) != 0 && !stickyRootDirectory)
        {
            throw Unsafe(setting, directory, $"{directory} is group/world-writable (mode {Posix.Octal(st)})", Fix(directory, euid));
        }
    }

    private static string Resolve(string path, string setting)
    {
        string? resolved = Posix.TryRealPath(path, out Errno errno);
        if (resolved is not null)
        {
            return resolved;
        }
        bool isLink = Syscall.lstat(path, out var st) == 0 && Posix.IsSymlink(st);
        throw errno switch
        {
            Errno.ENOENT when isLink => Unsafe(setting, path, $"{path} is a dangling symlink"),
            Errno.ENOENT => Unsafe(setting, path, $"{path} does not exist"),
            Errno.ELOOP => Unsafe(setting, path, $"{path} is a symlink loop"),
            _ => Unsafe(setting, path, $"{path} cannot be resolved: {errno} ({Syscall.strerror(errno)})"),
        };
    }

    private static UnsafeFileException Missing(string setting, string at, Errno errno) => errno switch
    {
        Errno.ENOENT => Unsafe(setting, at, $"{at} does not exist (it was removed while being read)"),
        Errno.ENOTDIR => Unsafe(setting, at, $"{at} is not a directory"),
        Errno.ELOOP => Unsafe(setting, at, $"{at} became a symlink while it was being read"),
        _ => Unsafe(setting, at, $"{at}: {errno} ({Syscall.strerror(errno)})"),
    };

    private static string Owners(uint euid) => euid == 0 ? "root" : $"root or uid {euid} (the user keyagentd runs as)";

    private static string Fix(string path, uint euid) =>
        euid == 0 ? $"chown root:root {path}; chmod go-w {path}" : $"chown root:root {path} (or to uid {euid}); chmod go-w {path}";

    private static UnsafeFileException Unsafe(string setting, string path, string problem, string? fix = null) =>
        new(setting, path, fix is null ? $"{setting}: {problem}" : $"{setting}: {problem}; fix: {fix}", fix);
}
