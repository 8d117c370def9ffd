using System.Text.Json;
using KeyAgentd.Storage;
using Microsoft.Win32.SafeHandles;
using Mono.Unix.Native;

namespace KeyAgentd.Audit;

/// <summary>
/// The append-only JSONL audit log. Every record carries the SHA-256 of the line before it (a hash
/// chain) and the hash of the last line is also kept in <c>headPath</c>, so editing, deleting,
/// reordering or cutting off records is detectable by <see cref="AuditVerifier"/>.
/// </summary>
/// <remarks>
/// Each <see cref="Append"/> opens the file (O_APPEND), takes an flock, reads the hash of
/// the current last line from the tail, appends, fsyncs and closes. Nothing is cached between calls,
/// so a second process (a manual <c>keyagentd sync</c>) and logrotate (create or copytruncate) never
/// see a stale chain.
/// </remarks>
public sealed class AuditLog
{
    internal const FilePermissions FileMode = FilePermissions.S_IRUSR | FilePermissions.S_IWUSR | FilePermissions.S_IRGRP;
    internal const FilePermissions DirectoryMode = FilePermissions.S_IRWXU | FilePermissions.S_IRGRP | FilePermissions.S_IXGRP;

    private readonly Lock _gate = new();

    public AuditLog(string path, string? headPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = System.IO.Path.GetFullPath(path);
        HeadPath = headPath is null ? null : System.IO.Path.GetFullPath(headPath);
    }

    public string Path { get; }

    public string? HeadPath { get; }

    /// <summary>Appends <paramref name="records"/> in order and returns only once they are on disk.</summary>
    /// <exception cref="IOException">The log could not be written; the message names the path.</exception>
    public void Append(IReadOnlyList<AuditRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (records.Count == 0)
        {
            return;
        }
        lock (_gate)
        {
            try
            {
                AppendLocked(records);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or NotSupportedException)
            {
                // Write errors on a handle-based FileStream do not name the file; every error here does.
                throw new IOException($"appending to audit log {Path}: {e.Message}", e);
            }
        }
    }

    private void AppendLocked(IReadOnlyList<AuditRecord> records)
    {
        string directory = System.IO.Path.GetDirectoryName(Path)!;
        Posix.CreateDirectories(directory, DirectoryMode);
        if (HeadPath is not null)
        {
            AuditHead.EnsureDirectory(HeadPath);
        }
        using var handle = OpenLog(out bool created);
        // Serializes appends across processes; threads of this process are serialized by _gate.
        FileLock.Acquire(handle, Path, Timeout.InfiniteTimeSpan);
        var stat = Posix.Fstat(handle, Path);
        if ((stat.st_mode & FilePermissions.S_IFMT) != FilePermissions.S_IFREG)
        {
            throw new IOException($"audit log {Path} is not a regular file");
        }

        var tail = new AuditLogTail(handle, stat.st_size);
        string prev = PreviousHash(tail, stat.st_size);
        using (var file = new FileStream(handle, FileAccess.ReadWrite, bufferSize: 0))
        {
            // O_APPEND makes every write land at the end; the seek only keeps FileStream's idea of the position true.
            file.Seek(0, SeekOrigin.End);
            // Written through a 64 KiB buffer, not gathered whole first: a first sync of thousands of
            // accounts appends tens of thousands of records, and one buffer for all of them was tens of
            // megabytes at the daemon's peak. A crash part-way leaves whole lines and at most one torn
            // one, which the next append closes off and the verifier reports, as for a single write.
            // Disposed with the file at the end of this block (disposing it closes the file).
            using var stream = new BufferedStream(file, 64 * 1024);
            if (stat.st_size > 0 && !tail.EndsWithNewline)
            {
                // A torn last line (crash mid-write) is closed off; it stays in the chain, and the verifier reports it.
                stream.Write("\n"u8);
            }
            foreach (var record in records)
            {
                byte[] line = JsonSerializer.SerializeToUtf8Bytes(record with { Prev = prev }, AuditJsonContext.RecordLine);
                prev = AuditChain.Hash(line);
                stream.Write(line);
                stream.Write("\n"u8);
            }
            stream.Flush();
            file.Flush(flushToDisk: true);
            if (created)
            {
                DurableFile.FsyncDirectory(directory);
            }
            if (HeadPath is not null)
            {
                AuditHead.Write(HeadPath, prev);
            }
        }
    }

    /// <summary>
    /// The hash the next record must carry. Normally the hash of the last line. An empty log with a head
    /// was rotated, so the chain continues from the head. A head that matches none of the last lines means
    /// the log was cut or rewritten since our last append: continuing from the head keeps that break
    /// visible to the verifier instead of papering over it.
    /// </summary>
    private string PreviousHash(AuditLogTail tail, long length)
    {
        string? head = AuditHead.Read(HeadPath);
        if (!AuditChain.IsHash(head))
        {
            head = null;
        }
        if (length == 0)
        {
            return head ?? AuditChain.Genesis;
        }
        string last = tail.LastLineHash();
        if (head is null || head == last || tail.HeadIsWithin(head))
        {
            return last;
        }
        return head;
    }

    private SafeFileHandle OpenLog(out bool created)
    {
        const OpenFlags flags = OpenFlags.O_RDWR | OpenFlags.O_APPEND | OpenFlags.O_NOFOLLOW;
        var handle = Posix.TryOpen(Path, flags | OpenFlags.O_CREAT | OpenFlags.O_EXCL, FileMode, out var errno);
        if (handle is not null)
        {
            Posix.Fchmod(handle, FileMode, Path);
            created = true;
            return handle;
        }
        if (errno != Errno.EEXIST)
        {
            throw new PosixException(errno, "open(O_CREAT|O_EXCL)", Path);
        }
        created = false;
        return Posix.Open(Path, flags);
    }
}
