using System.Text;
using System.Text.Json;
using KeyAgentd.Accounts;
using KeyAgentd.Core.HelperCache;
using KeyAgentd.Core.Snapshot;
using KeyAgentd.Storage;
using Mono.Unix.Native;

namespace KeyAgentd.State;

/// <summary>
/// The state directory (/var/lib/keyagentd): the last-known-good snapshot, the status of the last
/// cycle, and keys/&lt;user&gt; for the AuthorizedKeysCommand helper. Root-owned and trusted, so
/// plain paths are fine here (unlike users' homes); every write is atomic and fsync'd.
/// </summary>
public sealed partial class StateStore(string directory)
{
    public const string SnapshotFileName = "snapshot.json";
    public const string SignatureFileName = "snapshot.json.sig";
    public const string StatusFileName = "status.json";
    public const string KeysDirectoryName = "keys";
    public const string AuditHeadFileName = "audit.head";

    public string Directory { get; } = directory;

    public string KeysDirectory => Path.Combine(Directory, KeysDirectoryName);

    public string AuditHeadPath => Path.Combine(Directory, AuditHeadFileName);

    /// <summary>Creates, or repairs, the state directory and keys/ as keyagentd-keys demands (see <see cref="StateDirectory.Secure"/>).</summary>
    public IReadOnlyList<StateDirectoryRepair> Secure() => StateDirectory.Secure(Directory, KeysDirectoryName);

    /// <summary>What keyagentd-keys would refuse about <paramref name="account"/>'s cache and the directories above it (see <see cref="StateDirectory.Problems"/>).</summary>
    public IReadOnlyList<string> HelperPathProblems(string account) => StateDirectory.Problems(Directory, KeysDirectoryName, Path.GetFileName(CachePath(account)));

    /// <summary>
    /// The status of the last cycle. Derived data, rewritten by every cycle: a damaged file is reported
    /// (<see cref="SyncStatus.Damaged"/>) and read as a fresh status, never a crash, and nothing the host
    /// trusts depends on it (the rollback floor and enforcement are in <see cref="TrustStateStore"/>).
    /// </summary>
    public SyncStatus LoadStatus()
    {
        string path = Path.Combine(Directory, StatusFileName);
        try
        {
            return Posix.ReadStateFile(path, MaxStatusBytes) is { } content
                ? JsonSerializer.Deserialize(content, StateJsonContext.Default.SyncStatus) ?? Damaged(path, "null")
                : new SyncStatus();
        }
        catch (Exception e) when (e is JsonException or IOException or InvalidDataException or UnauthorizedAccessException)
        {
            return Damaged(path, e.Message);
        }
    }

    /// <summary>A status is a few hundred bytes per account; anything far larger is not one keyagentd wrote.</summary>
    private const int MaxStatusBytes = 128 << 20;

    /// <summary>Far above any registry snapshot a host accepts (Registry:MaxBytes); a file past it was not saved by keyagentd.</summary>
    private const int MaxSnapshotBytes = 1 << 30;

    /// <summary>A .sig holds a few armored blocks.</summary>
    private const int MaxSignatureBytes = 1 << 20;

    private static SyncStatus Damaged(string path, string why) =>
        new() { Damaged = $"{path} is damaged ({why}); read as empty, rewritten by the next sync (it holds no trust: the rollback floor is in {TrustStateStore.FileName})" };

    /// <exception cref="IOException">The status could not be written; the message names the path.</exception>
    public void SaveStatus(SyncStatus status)
    {
        string path = Path.Combine(Directory, StatusFileName);
        if (Syscall.lstat(path, out Stat st) == 0 && Posix.IsDirectory(st))
        {
            // rename(2) cannot replace a directory: moved aside (kept, as it may hold something), so that
            // a directory where the derived status belongs does not fail every cycle after its changes.
            string aside = $"{path}.not-a-file-{DateTimeOffset.UtcNow:yyyyMMddTHHmmssfffZ}";
            if (Syscall.rename(path, aside) != 0)
            {
                Posix.ThrowLastError("rename", path);
            }
        }
        Write(Directory, StatusFileName, JsonSerializer.SerializeToUtf8Bytes(status, StateJsonContext.Default.SyncStatus), Posix.Mode0644);
    }

    private (FileIdentity Identity, byte[] Content)? _snapshotRead;

    /// <summary>
    /// The last snapshot that was accepted and applied, exactly as fetched. Read again only when
    /// the file changed (<see cref="FileIdentity"/>): every cycle asks, and it is megabytes.
    /// The same array comes back while it is unchanged; callers only read it.
    /// </summary>
    /// <exception cref="InvalidDataException">Something other than a regular file is there (a FIFO, a directory, a symlink).</exception>
    public byte[]? LoadSnapshot()
    {
        string path = Path.Combine(Directory, SnapshotFileName);
        if (!FileIdentity.TryOf(path, out var identity))
        {
            _snapshotRead = null;
            return null;
        }
        if (_snapshotRead is { } last && last.Identity == identity)
        {
            return last.Content;
        }
        // Stat first, then read: a file replaced in between is read again next time, as its identity differs.
        byte[] content = Posix.ReadStateFile(path, MaxSnapshotBytes) ?? throw new InvalidDataException($"{path} was removed while being read");
        _snapshotRead = identity.IsSettled(DateTimeOffset.UtcNow) ? (identity, content) : null;
        return content;
    }

    /// <summary>
    /// <paramref name="same"/> holds the bytes <see cref="LoadSnapshot"/> last returned as <paramref name="read"/> (a
    /// parsed snapshot refers to them): they are handed back from now on instead, so a document of megabytes is
    /// held once, not twice. Compared byte for byte first; anything else leaves the store as it was.
    /// </summary>
    public void ShareSnapshotBytes(byte[] read, byte[] same)
    {
        if (_snapshotRead is { } last && ReferenceEquals(last.Content, read) && !ReferenceEquals(read, same) && read.AsSpan().SequenceEqual(same))
        {
            _snapshotRead = (last.Identity, same);
        }
    }

    /// <summary>A signature was saved with the last-known-good: this host has accepted a signed snapshot.</summary>
    public bool HasSnapshotSignature => File.Exists(Path.Combine(Directory, SignatureFileName));

    /// <summary>The detached signature saved with the last-known-good snapshot: its proof, re-verified at start.</summary>
    public byte[]? LoadSnapshotSignature()
    {
        string path = Path.Combine(Directory, SignatureFileName);
        try
        {
            return Posix.ReadStateFile(path, MaxSignatureBytes);
        }
        catch (InvalidDataException)
        {
            // A FIFO, a directory or a huge file is no proof: the last-known-good then fails re-verification.
            return null;
        }
    }

    /// <summary>
    /// Saves the snapshot with its signature (the signature first; a crash between the two leaves a pair
    /// that fails re-verification, which is treated as no last-known-good, never as a trusted one).
    /// Without a signature any older one is removed, so it can never be paired with other bytes.
    /// </summary>
    public void SaveSnapshot(byte[] content, byte[]? signature = null)
    {
        string signaturePath = Path.Combine(Directory, SignatureFileName);
        if (signature is not null)
        {
            Write(Directory, SignatureFileName, signature, Posix.Mode0600);
        }
        else if (File.Exists(signaturePath))
        {
            File.Delete(signaturePath);
        }
        Write(Directory, SnapshotFileName, content, Posix.Mode0600);
        _snapshotRead = null;
    }

    /// <summary>
    /// keys/&lt;user&gt; as keyagentd wrote it, or null: absent, or not something keyagentd-keys would
    /// serve (not a root-owned regular file, or writable by group or others). Such a file is no record of
    /// what keyagentd wrote, and answering null makes the next plan write the cache afresh, as a new inode.
    /// </summary>
    public string? ReadCache(string account) => ReadCache(account, out _);

    /// <param name="identity">Which bytes were read (the opened file's fstat, before reading); null with a null answer.</param>
    internal string? ReadCache(string account, out FileIdentity? identity)
    {
        using var files = OpenCacheFiles();
        return files.Read(account, out identity);
    }

    /// <summary>keys/ opened for a stage that looks at every account's cache (see <see cref="CacheFiles"/>).</summary>
    internal CacheFiles OpenCacheFiles() => new(KeysDirectory);

    /// <summary>
    /// Replaces keys/&lt;user&gt; with the helper's index line and <paramref name="text"/> (the keys). The
    /// planner already compared them with what is there (a plan's CacheText is null when unchanged), so it
    /// is not read again. World-readable: public keys only, read by the unprivileged helper.
    /// </summary>
    public void WriteCache(string account, string text) =>
        Write(KeysDirectory, account, CacheIndex.FileFor(text), Posix.Mode0644);

    /// <summary>The accounts keys/ holds a cache for (regular files named as accounts; a writer's temporary file is not one).</summary>
    public IReadOnlyList<string> CachedAccounts()
    {
        if (!System.IO.Directory.Exists(KeysDirectory))
        {
            return [];
        }
        return [.. System.IO.Directory.EnumerateFiles(KeysDirectory).Select(f => Path.GetFileName(f)).Where(n => AccountName.IsValid(n))];
    }

    /// <summary>Removes keys/&lt;user&gt;; what it held (as <see cref="ReadCache"/> reads it), for the audit.</summary>
    public string? RemoveCache(string account)
    {
        string? text = ReadCache(account);
        Posix.UnlinkIfPresent(CachePath(account));
        return text;
    }

    private string CachePath(string account)
    {
        if (!AccountName.IsValid(account))
        {
            throw new ArgumentException($"invalid account name \"{account}\"", nameof(account));
        }
        return Path.Combine(KeysDirectory, account);
    }

    private static void Write(string directory, string fileName, byte[] content, FilePermissions mode)
    {
        StateDirectory.Create(directory);
        DurableFile.WriteAllBytes(Path.Combine(directory, fileName), content, mode);
    }
}
