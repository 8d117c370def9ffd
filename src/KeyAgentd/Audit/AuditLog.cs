using System.Text;
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
/// <para>Each call opens the file (O_APPEND), takes an flock, reads the hash of the current last line
/// from the tail, appends, fsyncs and closes. Nothing is cached between calls, so a second process
/// (a manual <c>keyagentd sync</c>) and logrotate (create or copytruncate) never see a stale chain.</para>
/// <para>A cycle that changes files first states its changes (<see cref="Intend"/>), makes them, then
/// appends what happened (<see cref="Append"/>). The next cycle begins with <see cref="Settle"/>, which
/// makes good whatever a stopped cycle left: a torn line, records past the head, or an intent whose
/// outcome was never recorded.</para>
/// </remarks>
public sealed class AuditLog
{
    internal const FilePermissions FileMode = FilePermissions.S_IRUSR | FilePermissions.S_IWUSR | FilePermissions.S_IRGRP;
    internal const FilePermissions DirectoryMode = FilePermissions.S_IRWXU | FilePermissions.S_IRGRP | FilePermissions.S_IXGRP;

    private const OpenFlags AppendFlags = OpenFlags.O_RDWR | OpenFlags.O_APPEND | OpenFlags.O_NOFOLLOW;

    private const string Unconfirmed = "unconfirmed: planned by a cycle that stopped before recording its outcome";

    private readonly Lock _gate = new();
    private readonly TimeProvider _time;

    /// <summary>This instance stated the intent on disk and has not yet appended its outcome.</summary>
    private bool _intentStated;

    public AuditLog(string path, string? headPath, TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = System.IO.Path.GetFullPath(path);
        HeadPath = headPath is null ? null : System.IO.Path.GetFullPath(headPath);
        IntentPath = HeadPath is null ? null : AuditIntent.PathBeside(HeadPath);
    }

    public string Path { get; }

    public string? HeadPath { get; }

    /// <summary>Where <see cref="Intend"/> states a cycle's changes; null without a head (nothing to settle against).</summary>
    public string? IntentPath { get; }

    /// <summary>
    /// Makes good what a stopped cycle left, before a new cycle starts (under the state lock, so no other
    /// cycle is running): an unterminated last line is cut off and kept in a record; whole records past
    /// the head are adopted; the changes of an intent that was never followed by <see cref="Append"/> are
    /// appended marked unconfirmed. Each finding is recorded as <see cref="AuditAction.AuditResumed"/>.
    /// Writes nothing when there is nothing to make good.
    /// </summary>
    /// <exception cref="IOException">The log could not be written; the message names the path.</exception>
    public void Settle() => Locked($"appending to audit log {Path}", () =>
    {
        int damaged = 0;
        var unconfirmed = IntentPath is null ? null : AuditIntent.Read(IntentPath, out damaged);
        AppendLocked([], any: false, unconfirmed is null ? null : new FoundIntent(unconfirmed, damaged));
    });

    /// <summary>An intent a settle found: its records, and how many of its lines were too damaged to read.</summary>
    private sealed record FoundIntent(IReadOnlyList<AuditRecord> Records, int Damaged);

    /// <summary>
    /// States the changes a cycle is about to make, on disk before the first of them; this instance's next
    /// <see cref="Append"/> (of their outcome) removes it. Writes nothing for no changes. Returns false, and
    /// leaves the file alone, when an earlier cycle's intent is still there (its <see cref="Settle"/> failed):
    /// that one is not overwritten, so a later settle still puts its changes in the log.
    /// </summary>
    /// <exception cref="IOException">The intent could not be written; the message names the path.</exception>
    public bool Intend(IEnumerable<AuditRecord> changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        bool stated = true;
        if (IntentPath is { } intent)
        {
            Locked($"stating the cycle's changes in {intent}", () =>
            {
                if (File.Exists(intent))
                {
                    stated = false;
                    return;
                }
                AuditHead.EnsureDirectory(intent);
                _intentStated = AuditIntent.Write(intent, changes);
            });
        }
        return stated;
    }

    /// <summary>
    /// Appends <paramref name="records"/> in order and returns only once they are on disk; then the cycle's
    /// intent, if any, is removed. A log left torn or past its head is made good first, as by <see cref="Settle"/>.
    /// An empty batch touches the log not at all: the cycle's settle already made its end good. The records
    /// are taken one at a time as they are written: a sequence that produces them holds none of them.
    /// </summary>
    /// <exception cref="IOException">The log could not be written; the message names the path.</exception>
    public void Append(IEnumerable<AuditRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        using var each = records.GetEnumerator();
        if (!each.MoveNext())
        {
            // Every write of the cycle failed, or it changed nothing: only its intent, if any, has served.
            Locked($"removing {IntentPath}", () => IntentServed(served: false));
            return;
        }
        Locked($"appending to audit log {Path}", () => AppendLocked(FromCurrent(each), any: true, unconfirmed: null));
    }

    private static IEnumerable<AuditRecord> FromCurrent(IEnumerator<AuditRecord> each)
    {
        do
        {
            yield return each.Current;
        }
        while (each.MoveNext());
    }

    private void Locked(string doing, Action action)
    {
        lock (_gate)
        {
            try
            {
                action();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or NotSupportedException)
            {
                // Write errors on a handle-based FileStream do not name the file; every error here does.
                throw new IOException($"{doing}: {e.Message}", e);
            }
        }
    }

    private void AppendLocked(IEnumerable<AuditRecord> records, bool any, FoundIntent? unconfirmed)
    {
        string directory = System.IO.Path.GetDirectoryName(Path)!;
        // Only an existing log can show an interruption; nothing is created for nothing to write.
        bool mayCreate = any || unconfirmed is not null;
        using var handle = OpenLocked(mayCreate, out bool created);
        if (handle is null)
        {
            IntentServed(served: false);
            return;
        }

        // Disposing the stream closes the file, after the head is written: the lock is held throughout.
        using var file = new FileStream(handle, FileAccess.ReadWrite, bufferSize: 0);
        string? head = AuditHead.Read(HeadPath);
        var end = new AuditLogTail(handle, file.Length).Read(head);
        var intent = unconfirmed is not null ? IntentState.Unconfirmed : _intentStated ? IntentState.Confirmed : IntentState.Absent;
        var plan = AuditRecovery.Decide(end, head, intent);
        var resumed = MakeGood(file, end, plan, unconfirmed);
        if (resumed.Count > 0 || any)
        {
            // O_APPEND makes every write land at the end; the seek only keeps FileStream's idea of the position true.
            file.Seek(0, SeekOrigin.End);
            var lines = new WholeLineWriter(file);
            string prev = WriteLines(lines, resumed, plan.Prev);
            prev = WriteLines(lines, records, prev);
            lines.Flush();
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
        IntentServed(plan.Steps.Contains(RecoveryStep.RemoveIntent));
    }

    /// <summary>
    /// Opens the log for appending (creating it and its directory when <paramref name="mayCreate"/>) and takes
    /// its flock; null when it does not exist and may not be created.
    /// </summary>
    private SafeFileHandle? OpenLocked(bool mayCreate, out bool created)
    {
        created = false;
        SafeFileHandle? handle;
        if (mayCreate)
        {
            Posix.CreateDirectories(System.IO.Path.GetDirectoryName(Path)!, DirectoryMode);
            handle = OpenLog(out created);
        }
        else
        {
            handle = Posix.TryOpen(Path, AppendFlags, 0, out var errno);
            if (handle is null)
            {
                return errno == Errno.ENOENT ? null : throw new PosixException(errno, "open", Path);
            }
        }
        try
        {
            if (HeadPath is not null)
            {
                AuditHead.EnsureDirectory(HeadPath);
            }
            // Serializes appends across processes; threads of this process are serialized by _gate.
            FileLock.Acquire(handle, Path, Timeout.InfiniteTimeSpan);
            var stat = Posix.Fstat(handle, Path);
            if ((stat.st_mode & FilePermissions.S_IFMT) != FilePermissions.S_IFREG)
            {
                throw new IOException($"audit log {Path} is not a regular file");
            }
            return handle;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Carries out the plan's steps on the file; returns the audit-resumed records (and replayed intent) to write first.</summary>
    private List<AuditRecord> MakeGood(FileStream file, AuditLogEnd end, AuditRecoveryPlan plan, FoundIntent? unconfirmed)
    {
        var resumed = new List<AuditRecord>();
        foreach (var step in plan.Steps)
        {
            switch (step)
            {
                case RecoveryStep.EndTornLine:
                    file.Seek(0, SeekOrigin.End);
                    file.Write("\n"u8);
                    break;
                case RecoveryStep.CutTornLine:
                    resumed.Add(TornLineCut(end.Torn!));
                    file.SetLength(end.Torn!.Start);
                    break;
                case RecoveryStep.AdoptRecordsPastHead:
                    resumed.Add(Resumed(AuditResumedReason.HeadBehind,
                        $"{plan.RecordsPastHead} record(s) after the head were written by an append that stopped before updating the head file {HeadPath}; the head now covers them"));
                    break;
                case RecoveryStep.ReplayIntent:
                    resumed.Add(Resumed(AuditResumedReason.UnconfirmedChanges, UnconfirmedMessage(unconfirmed!.Records.Count, unconfirmed.Damaged)));
                    resumed.AddRange(unconfirmed.Records.Select(r => r with { Message = r.Message is null ? Unconfirmed : $"{Unconfirmed}; {r.Message}" }));
                    break;
            }
        }
        return resumed;
    }

    /// <summary>
    /// The outcome of this instance's intent, or a replayed intent, is in the log: the intent has served.
    /// An intent this instance did not state and did not replay is left for a settle.
    /// </summary>
    private void IntentServed(bool served)
    {
        if (IntentPath is not null && (served || _intentStated))
        {
            AuditIntent.Delete(IntentPath);
        }
        _intentStated = false;
    }

    private static string WriteLines(WholeLineWriter lines, IEnumerable<AuditRecord> records, string prev)
    {
        foreach (var record in records)
        {
            byte[] line = JsonSerializer.SerializeToUtf8Bytes(record with { Prev = prev }, AuditJsonContext.RecordLine);
            prev = AuditChain.Hash(line);
            lines.WriteLine(line);
        }
        return prev;
    }

    private string UnconfirmedMessage(int count, int damaged) =>
        $"a cycle stopped (killed, crashed or powered off) after stating {count} change(s) and before recording its outcome; "
        + "they follow, marked unconfirmed: each may or may not have been made, and the next cycle makes any that was not"
        + (damaged > 0 ? $"; {damaged} damaged line(s) of {IntentPath} skipped" : "");

    private AuditRecord TornLineCut(TornLine torn)
    {
        var record = Resumed(AuditResumedReason.TornLine,
            $"an append stopped part-way and left {torn.Length} byte(s) without a final newline at the end of the log; cut off (SHA-256 {torn.Sha256})");
        // Lossy only for bytes that are not UTF-8; the hash above is of the bytes as they were.
        return torn.Bytes is { } bytes ? record with { Line = Encoding.UTF8.GetString(bytes) } : record;
    }

    private AuditRecord Resumed(AuditResumedReason reason, string message) =>
        new() { Time = _time.GetUtcNow(), Action = AuditAction.AuditResumed.ToCode(), Reason = reason.ToCode(), Message = message };

    private SafeFileHandle OpenLog(out bool created)
    {
        var handle = Posix.TryOpen(Path, AppendFlags | OpenFlags.O_CREAT | OpenFlags.O_EXCL, FileMode, out var errno);
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
        return Posix.Open(Path, AppendFlags);
    }
}
