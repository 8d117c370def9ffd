using System.Text;
using KeyAgentd.Core.Snapshot;
using KeyAgentd.Storage;
using Microsoft.Win32.SafeHandles;
using Mono.Unix.Native;

namespace KeyAgentd.State;

/// <summary>
/// keys/ opened once for a planning stage: each account's cache is then looked up relative to that
/// descriptor (one fstatat or openat) instead of by its full path, which made the kernel walk every
/// component of the state directory again for each of 10,000 accounts. Answers exactly as
/// <see cref="StateStore.ReadCache(string)"/> does. keys/ is the daemon's own root-owned directory, so
/// it is opened by path, as the store opens its files; a keys/ missing when the stage starts reads as no caches.
/// </summary>
internal sealed class CacheFiles : IDisposable
{
    private readonly SafeFileHandle? _keys;
    private readonly string _keysPath;
    private readonly uint _euid = Syscall.geteuid();

    public CacheFiles(string keysPath)
    {
        _keysPath = keysPath;
        _keys = Posix.TryOpen(keysPath, OpenFlags.O_RDONLY | OpenFlags.O_DIRECTORY, 0, out Errno errno);
        if (_keys is null && errno != Errno.ENOENT)
        {
            throw new PosixException(errno, "open", keysPath);
        }
    }

    /// <summary>Which bytes keys/&lt;user&gt; holds, from its lstat, when <see cref="Read"/> would read them; null when it would answer null.</summary>
    public FileIdentity? Identify(string account)
    {
        string name = Name(account);
        if (_keys is null)
        {
            return null;
        }
        return Posix.LstatAt(_keys, name, Path(account)) is { } st && Posix.IsRegular(st) && IsServable(st) ? FileIdentity.Of(st) : null;
    }

    /// <summary>keys/&lt;user&gt; as keyagentd wrote it, or null (see <see cref="StateStore.ReadCache(string)"/>).</summary>
    /// <param name="identity">Which bytes were read (the opened file's fstat, before reading); null with a null answer.</param>
    public string? Read(string account, out FileIdentity? identity)
    {
        identity = null;
        string name = Name(account);
        if (_keys is null)
        {
            return null;
        }
        string path = Path(account);
        using var handle = Posix.TryOpenAt(_keys, name, Posix.ReadFileFlags, out Errno errno);
        if (handle is null)
        {
            // Absent, or a symlink in its place (O_NOFOLLOW): no record of what keyagentd wrote.
            return errno is Errno.ENOENT or Errno.ELOOP ? null : throw new PosixException(errno, "openat", path);
        }
        Stat st = Posix.Fstat(handle, path);
        if (!Posix.IsRegular(st) || !IsServable(st))
        {
            return null;
        }
        identity = FileIdentity.Of(st);
        return Encoding.UTF8.GetString(Posix.ReadBounded(handle, Array.MaxLength, st.st_size, path, out _));
    }

    private bool IsServable(in Stat st) => st.st_uid == _euid && (Posix.PermissionBits(st) & Posix.GroupOrWorldWritable) == 0;

    private static string Name(string account) =>
        AccountName.IsValid(account) ? account : throw new ArgumentException($"invalid account name \"{account}\"", nameof(account));

    private string Path(string account) => DurableFile.Join(_keysPath, account);

    public void Dispose() => _keys?.Dispose();
}
