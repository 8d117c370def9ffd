using Mono.Unix.Native;

namespace KeyAgentd.Files;

/// <summary>
/// Atomic replace for root-owned state files in a directory only root can write
/// (/var/lib/keyagentd, keys/&lt;user&gt; for the helper). Readers such as keyagentd-keys see
/// the old file or the new one, never a torn one, and a crash cannot leave an empty cache.
/// Failures throw <see cref="IOException"/> naming the errno, operation and path.
/// </summary>
public static class StateFileWriter
{
    /// <summary>0755: the helper runs as an unprivileged user and must be able to read the cache.</summary>
    private const FilePermissions DirectoryMode = (FilePermissions)0x1ED;

    /// <param name="mode">Permission bits; the default 0b110_100_100 is 0644.</param>
    public static void WriteAtomic(string directory, string fileName, ReadOnlySpan<byte> content, int mode = 0b110_100_100)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ValidateFileName(fileName);
        if ((mode & ~0xFFF) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "only permission bits are allowed");
        }
        EnsureDirectory(directory);

        int dirFd = Syscall.open(directory, OpenFlags.O_RDONLY | OpenFlags.O_DIRECTORY | OpenFlags.O_CLOEXEC);
        if (dirFd < 0)
        {
            throw Failure("open", directory);
        }
        using var dir = new UnixFd(dirFd);
        // A unique temp name: two writers of the same file must not share (and truncate) one temp.
        string tempName = $".{fileName}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        string tempPath = Path.Combine(directory, tempName);
        UnixFd? temp = Posix.TryOpenAt(dir, tempName, Posix.CreateFileFlags, out Errno errno, (FilePermissions)mode);
        if (temp is null)
        {
            throw Failure("openat(O_CREAT|O_EXCL)", tempPath, errno);
        }
        bool renamed = false;
        try
        {
            using (temp)
            {
                if (Syscall.fchmod(temp.Value, (FilePermissions)mode) != 0)
                {
                    throw Failure("fchmod", tempPath);
                }
                Posix.WriteAll(temp, content.ToArray(), tempPath);
                Posix.Fsync(temp, tempPath);
            }
            if (Syscall.renameat(dir.Value, tempName, dir.Value, fileName) != 0)
            {
                throw Failure("renameat", Path.Combine(directory, fileName));
            }
            renamed = true;
            Posix.Fsync(dir, directory);
        }
        catch (FileRefusalException e)
        {
            throw new IOException(e.Refusal.Message, e);
        }
        finally
        {
            if (!renamed)
            {
                _ = Syscall.unlinkat(dir.Value, tempName, 0);
            }
        }
    }

    private static void EnsureDirectory(string directory)
    {
        if (Directory.Exists(directory))
        {
            return;
        }
        string? parent = Path.GetDirectoryName(Path.GetFullPath(directory));
        if (parent is not null)
        {
            Directory.CreateDirectory(parent);
        }
        if (Syscall.mkdir(directory, DirectoryMode) != 0)
        {
            if (Posix.LastError() == Errno.EEXIST)
            {
                return;
            }
            throw Failure("mkdir", directory);
        }
        // mkdir's mode went through the umask; the helper needs exactly 0755.
        if (Syscall.chmod(directory, DirectoryMode) != 0)
        {
            throw Failure("chmod", directory);
        }
    }

    private static void ValidateFileName(string fileName)
    {
        if (string.IsNullOrEmpty(fileName) || fileName is "." or ".." || fileName.Contains('/', StringComparison.Ordinal) || fileName.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException($"\"{fileName}\" is not a plain file name", nameof(fileName));
        }
    }

    private static IOException Failure(string operation, string path, Errno? errno = null)
    {
        Errno e = errno ?? Posix.LastError();
        return new IOException(Posix.IoError(e, operation, path).Message);
    }
}
