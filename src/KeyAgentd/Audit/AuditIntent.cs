using System.Text.Json;
using KeyAgentd.Storage;
using Mono.Unix.Native;

namespace KeyAgentd.Audit;

/// <summary>
/// The changes a cycle is about to make, written before it touches any file and deleted once their records
/// are in the log. A cycle stopped in between (killed, crashed, power lost) leaves it behind, and the next
/// cycle puts those changes in the log marked unconfirmed: the log never misses a change that may have
/// been made. It lives beside the head, in the state directory.
/// </summary>
/// <remarks>
/// No atomic replace is needed: the file is read only once its writer is gone, and the writer fsyncs it
/// before the first change, so a torn last line is of a change that was never begun.
/// </remarks>
internal static class AuditIntent
{
    public const string FileName = "audit.intent";

    public static string PathBeside(string headPath) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(headPath))!, FileName);

    /// <summary>Writes <paramref name="records"/> (one JSON line each) and fsyncs them; writes no file for none (returns false).</summary>
    public static bool Write(string path, IEnumerable<AuditRecord> records)
    {
        using var each = records.GetEnumerator();
        if (!each.MoveNext())
        {
            return false;
        }
        const OpenFlags flags = OpenFlags.O_WRONLY | OpenFlags.O_CREAT | OpenFlags.O_TRUNC | OpenFlags.O_NOFOLLOW | OpenFlags.O_CLOEXEC;
        using (var file = new FileStream(Posix.Open(path, flags, AuditLog.FileMode), FileAccess.Write, bufferSize: 0))
        {
            var lines = new WholeLineWriter(file);
            do
            {
                lines.WriteLine(JsonSerializer.SerializeToUtf8Bytes(each.Current, AuditJsonContext.RecordLine));
            }
            while (each.MoveNext());
            lines.Flush();
            file.Flush(flushToDisk: true);
        }
        DurableFile.FsyncDirectory(Path.GetDirectoryName(path)!);
        return true;
    }

    /// <summary>
    /// What a stopped cycle intended, or null when there is no intent file. <paramref name="damaged"/> counts
    /// whole lines that are not records (a torn last line is not counted: its change was never begun).
    /// </summary>
    public static List<AuditRecord>? Read(string path, out int damaged)
    {
        damaged = 0;
        if (!File.Exists(path))
        {
            return null;
        }
        var records = new List<AuditRecord>();
        foreach (var line in AuditLineReader.Read(path))
        {
            if (!line.Terminated)
            {
                continue;
            }
            if (line.Bytes is { } bytes && Parse(bytes) is { } record)
            {
                records.Add(record);
            }
            else
            {
                damaged++;
            }
        }
        return records;
    }

    /// <summary>Removes the intent once its outcome is in the log.</summary>
    public static void Delete(string path) => Posix.UnlinkIfPresent(path);

    private static AuditRecord? Parse(byte[] line)
    {
        try
        {
            return JsonSerializer.Deserialize(line, AuditJsonContext.Default.AuditRecord);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
