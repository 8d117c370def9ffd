using KeyAgentd.Accounts;
using KeyAgentd.Storage;
using Microsoft.Win32.SafeHandles;
using Mono.Unix.Native;

namespace KeyAgentd.Homes;

/// <summary>authorized_keys itself: check before opening, read bounded, compare (the replace is <see cref="DurableFile.Replace"/>).</summary>
public sealed partial class HomeKeyFiles
{
    /// <summary>
    /// Reads authorized_keys after checking it without opening it (so a FIFO, device or hard
    /// link is never opened), then checks the opened inode again: fstat is the truth about
    /// what was opened, whatever happened to the name in between. Null when it does not exist.
    /// </summary>
    private static byte[]? ReadExisting(SafeFileHandle ssh, AccountInfo account, string filePath) => ReadExisting(ssh, account, filePath, out _);

    /// <param name="identity">The opened file's identity, taken before its bytes were read: a later change shows in it.</param>
    private static byte[]? ReadExisting(SafeFileHandle ssh, AccountInfo account, string filePath, out FileIdentity identity)
    {
        identity = default;
        Stat? named = Posix.LstatAt(ssh, KeyFileName, filePath);
        if (named is null)
        {
            return null;
        }
        CheckKeyFile(named.Value, account, filePath);
        SafeFileHandle? fd = Posix.TryOpenAt(ssh, KeyFileName, Posix.ReadFileFlags, out Errno errno);
        if (fd is null)
        {
            return errno switch
            {
                Errno.ENOENT => null,
                Errno.ELOOP => throw new FileRefusalException(new(FileRefusal.FileSymlink, $"{filePath} is a symlink")),
                _ => throw new PosixException(errno, "openat", filePath),
            };
        }
        using (fd)
        {
            Stat opened = Posix.Fstat(fd, filePath);
            CheckKeyFile(opened, account, filePath);
            identity = FileIdentity.Of(opened);
            byte[] bytes = Posix.ReadBounded(fd, MaxFileBytes, opened.st_size, filePath, out bool tooLarge);
            if (tooLarge)
            {
                throw new FileRefusalException(TooLarge(filePath));
            }
            return bytes;
        }
    }

    private static void CheckKeyFile(in Stat st, AccountInfo account, string filePath)
    {
        if (StrictModes.KeyFile(st, account, filePath) is { } problem)
        {
            throw new FileRefusalException(problem);
        }
        if (st.st_size > MaxFileBytes)
        {
            throw new FileRefusalException(TooLarge(filePath));
        }
    }

    private static FileRefusal TooLarge(string filePath) =>
        new(FileRefusal.FileTooLarge, $"{filePath} is larger than {MaxFileBytes} bytes");

    /// <summary>
    /// True when the file already is exactly what would be written: same bytes, 0600, right
    /// owner. Then nothing is written, so its inode and mtime stay as they are.
    /// An existing file larger than the bound cannot be equal and is simply replaced.
    /// </summary>
    private static bool IsUnchanged(SafeFileHandle ssh, AccountInfo account, byte[] bytes, string filePath, bool chown, bool replaceUnsafeFile)
    {
        Stat? st = Posix.LstatAt(ssh, KeyFileName, filePath);
        if (st is not { } s)
        {
            return false;
        }
        if (StrictModes.KeyFile(s, account, filePath) is { } problem)
        {
            if (replaceUnsafeFile && FileRefusal.IsReplaceableFileProblem(problem.Code))
            {
                return false;
            }
            throw new FileRefusalException(problem);
        }
        if (s.st_size != bytes.Length
            || Posix.PermissionBits(s) != (uint)Posix.Mode0600
            || (chown && s.st_gid != account.Gid))
        {
            return false;
        }
        byte[]? existing = ReadExisting(ssh, account, filePath);
        return existing is not null && existing.AsSpan().SequenceEqual(bytes);
    }
}
