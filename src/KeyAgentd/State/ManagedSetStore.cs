using System.Text.Json;
using KeyAgentd.Accounts;
using KeyAgentd.Core.Snapshot;
using KeyAgentd.Storage;
using Mono.Unix.Native;

namespace KeyAgentd.State;

/// <summary>
/// Remembers a set of accounts as a sorted JSON array of names. <c>state-dir/managed-accounts.json</c>:
/// the accounts the daemon has managed, so an account that leaves the registry still has its keys
/// removed. <c>state-dir/file-accounts.json</c> (<see cref="FileAccountsFileName"/>): the accounts whose
/// authorized_keys keyagentd maintains, or, with file delivery off, whose authorized_keys may still
/// hold what it wrote there, so that it is emptied of it once and no home is read after that.
/// </summary>
public sealed class ManagedSetStore
{
    public const string FileName = "managed-accounts.json";
    public const string FileAccountsFileName = "file-accounts.json";

    private const int MaxBytes = 16 * 1024 * 1024;

    /// <summary>
    /// What each set file held when last read or written here, by its identity: every cycle loads both sets and
    /// saves them again, 10,000 names each on a large host, and they rarely change. An unchanged, settled file
    /// (<see cref="FileIdentity"/>) is not read and parsed again, and a save of the same names is not sorted,
    /// serialised and compared again. Keyed by path: a new store object for the same file (one per cycle) finds it.
    /// </summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, (FileIdentity Identity, HashSet<string> Names)> Known = new(StringComparer.Ordinal);
    private const FilePermissions FileMode = Posix.Mode0640;

    private readonly TimeProvider _kernelClock;

    /// <param name="kernelClock">The real clock the kernel stamps files by (a later one, in tests, settles files just written).</param>
    public ManagedSetStore(string stateDirectory, string fileName = FileName, TimeProvider? kernelClock = null)
    {
        _kernelClock = kernelClock ?? TimeProvider.System;
        ArgumentException.ThrowIfNullOrEmpty(stateDirectory);
        StateDirectory = Path.GetFullPath(stateDirectory);
        FilePath = Path.Combine(StateDirectory, fileName);
    }

    /// <summary>True once a set was saved (an empty one included): tells "nothing left" from "never recorded".</summary>
    public bool Exists => File.Exists(FilePath);

    public string StateDirectory { get; }

    public string FilePath { get; }

    /// <summary>The saved set; empty when nothing was saved yet.</summary>
    /// <exception cref="InvalidDataException">The file exists but is not a JSON array of valid account names.
    /// Never answered with an empty set: that would silently stop managing (and cleaning) those accounts.</exception>
    /// <exception cref="IOException">The file exists but cannot be read.</exception>
    public IReadOnlySet<string> Load()
    {
        if (Known.TryGetValue(FilePath, out var known) && FileIdentity.TryOf(FilePath, out var now) && now == known.Identity)
        {
            return new System.Collections.ObjectModel.ReadOnlySet<string>(known.Names);
        }
        bool identified = FileIdentity.TryOf(FilePath, out var before);
        byte[] content;
        try
        {
            // Not a regular file (a FIFO would hang the cycle), or too large: InvalidDataException naming the file.
            if (Posix.ReadStateFile(FilePath, MaxBytes) is not { } read)
            {
                return new HashSet<string>(StringComparer.Ordinal);
            }
            content = read;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"reading the account set {FilePath}: {e.Message}", e);
        }

        string[]? names;
        try
        {
            names = JsonSerializer.Deserialize(content, ManagedSetJsonContext.Default.StringArray);
        }
        catch (JsonException e)
        {
            throw Corrupt($"not a JSON array of names ({e.Message})", e);
        }
        if (names is null)
        {
            throw Corrupt("not a JSON array of names", null);
        }
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (string? name in names)
        {
            if (!AccountName.IsValid(name))
            {
                throw Corrupt($"\"{name}\" is not a valid account name", null);
            }
            set.Add(name!);
        }
        Remember(identified, before, set);
        return new System.Collections.ObjectModel.ReadOnlySet<string>(set);
    }

    /// <summary>Keeps what a file identified before it was read (or after it was written) holds, if that identity is settled.</summary>
    private void Remember(bool identified, FileIdentity identity, HashSet<string> names)
    {
        if (identified && identity.IsSettled(_kernelClock.GetUtcNow()))
        {
            Known[FilePath] = (identity, names);
        }
        else
        {
            Known.TryRemove(FilePath, out _);
        }
    }

    /// <summary>Replaces the saved set atomically (temp file, fsync, rename, fsync of the directory).</summary>
    /// <exception cref="ArgumentException">A name is not a valid account name.</exception>
    public void Save(IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        if (Known.TryGetValue(FilePath, out var known) && FileIdentity.TryOf(FilePath, out var now) && now == known.Identity
            && names.All(AccountName.IsValid) && known.Names.SetEquals(names))
        {
            // The file is, unchanged, what the last read or write here found: exactly these names.
            return;
        }
        var sorted = new SortedSet<string>(StringComparer.Ordinal);
        foreach (string name in names)
        {
            if (!AccountName.IsValid(name))
            {
                throw new ArgumentException($"\"{name}\" is not a valid account name", nameof(names));
            }
            sorted.Add(name);
        }
        byte[] json = JsonSerializer.SerializeToUtf8Bytes([.. sorted], ManagedSetJsonContext.Default.StringArray);
        byte[] content = [.. json, (byte)'\n'];
        State.StateDirectory.Create(StateDirectory);
        if (AlreadyHolds(content))
        {
            // Every cycle saves both sets, and they rarely change: a durable replace (two fsyncs) for nothing otherwise.
            return;
        }
        DurableFile.WriteAllBytes(FilePath, content, FileMode);
        // Just written: not settled, so the next load reads it (and remembers it once it has settled).
        Known.TryRemove(FilePath, out _);
    }

    /// <summary>The file is already exactly what <see cref="Save"/> would write: these bytes, our own regular file, its mode.</summary>
    private bool AlreadyHolds(byte[] content)
    {
        using var handle = Posix.TryOpenRegular(FilePath, out Stat st, out _);
        if (handle is null || st.st_size != content.Length || st.st_uid != Syscall.geteuid() || Posix.PermissionBits(st) != (uint)FileMode)
        {
            return false;
        }
        return Posix.ReadBounded(handle, content.Length + 1, st.st_size, FilePath, out bool tooLarge) is { } existing && !tooLarge && existing.AsSpan().SequenceEqual(content);
    }

    // file-accounts.json is read back as every managed account when damaged (SyncEngine.FilesBefore): no advice needed.
    private InvalidDataException Corrupt(string why, Exception? inner) =>
        new($"account set {FilePath} is corrupt: {why}" +
            (Path.GetFileName(FilePath) == FileAccountsFileName ? "" : "; fix or remove it deliberately (removing it forgets which accounts it named)"), inner);
}
