using System.Text.Json;

namespace KeyAgentd.Audit;

/// <summary>
/// Recomputes the hash chain of an audit log written by <see cref="AuditLog"/> and compares its end with
/// the head file. Reads the log as a stream, so any size works.
/// </summary>
/// <remarks>
/// Rotation: logrotate moves or truncates the log, and <see cref="AuditLog"/> continues the chain from the
/// head, so the first record of a rotated-to file carries the hash of the last record of the previous
/// file instead of 64 zeros. That is reported as "continues a rotated file", not as an error; checking
/// the link itself needs the previous file (verify the files one after the other). For the same reason
/// the deletion of a log's first records, or emptying it completely, cannot be told apart from rotation.
/// A missing log while a head exists is reported, since rotation leaves an (empty) file behind.
/// </remarks>
public static class AuditVerifier
{
    /// <param name="path">The log.</param>
    /// <param name="headPath">The head file written by <see cref="AuditLog"/>; null skips the end-of-log check.</param>
    /// <exception cref="IOException">The log or the head exists but cannot be read.</exception>
    public static AuditVerification Verify(string path, string? headPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string? head = AuditHead.Read(headPath);
        if (head is not null && !AuditChain.IsHash(head))
        {
            return new AuditVerification(false, 0, null, $"head file {headPath} does not hold a SHA-256 hash");
        }
        if (!File.Exists(path))
        {
            return head is null
                ? new AuditVerification(true, 0, null, $"{path} does not exist yet: no records")
                : new AuditVerification(false, 0, null, $"{path} is missing but head file {headPath} records a last hash: the log was deleted");
        }

        long records = 0;
        long lines = 0;
        string? previousHash = null;
        string? rotatedFrom = null;
        (long Line, string Message)? problem = null;
        foreach (var line in AuditLineReader.Read(path))
        {
            lines = line.Number;
            string? prev = ParsePrev(line);
            if (prev is not null)
            {
                records++;
            }
            if (problem is null)
            {
                problem = Check(path, line, prev, previousHash);
                if (line.Number == 1 && prev is not null && prev != AuditChain.Genesis)
                {
                    rotatedFrom = prev;
                }
            }
            previousHash = line.Hash;
        }

        problem ??= CheckHead(path, head, headPath, lines, previousHash);
        if (problem is { } bad)
        {
            return new AuditVerification(false, records, bad.Line, bad.Message);
        }
        string message = $"{records} records, chain intact";
        if (rotatedFrom is not null)
        {
            message += $"; continues a rotated file (first record follows {rotatedFrom})";
        }
        if (lines == 0 && head is not null)
        {
            message += "; empty log, the head refers to the last record of a rotated file";
        }
        return new AuditVerification(true, records, null, message);
    }

    /// <summary>The record's <c>prev</c>, or null when the line is not a valid record.</summary>
    private static string? ParsePrev(AuditLine line) =>
        line.Bytes is null || !line.Terminated ? null : PrevOf(line.Bytes);

    /// <summary>The <c>prev</c> of a line's bytes (without the newline), or null when they are not a valid record.</summary>
    internal static string? PrevOf(ReadOnlySpan<byte> line)
    {
        try
        {
            var record = JsonSerializer.Deserialize(line, AuditJsonContext.Default.AuditRecord);
            return AuditChain.IsHash(record?.Prev) ? record!.Prev : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// A chain break at line n (its prev is not the hash of line n-1): if prev names another line of the file,
    /// records were moved and line n is the misplaced one. Otherwise line n-1 is no longer what line n
    /// recorded: it was edited, or records after it were deleted; the chain cannot tell those two apart.
    /// </summary>
    private static (long Line, string Message)? Check(string path, AuditLine line, string? prev, string? previousHash)
    {
        long n = line.Number;
        if (!line.Terminated)
        {
            return (n, $"line {n} is incomplete (no final newline): an interrupted or tampered write; the next sync cuts it off and records it (audit-resumed)");
        }
        if (line.Bytes is null)
        {
            return (n, $"line {n} is longer than {AuditLineReader.MaxLineBytes} bytes: not an audit record");
        }
        if (prev is null)
        {
            return (n, $"line {n} is not a valid audit record (invalid JSON or no valid prev)");
        }
        if (previousHash is null || prev == previousHash)
        {
            return null;
        }
        return FindLine(path, prev) is { } j
            ? (n, $"line {n} follows line {j}, not line {n - 1}: records were reordered, duplicated or inserted")
            : (n - 1, $"line {n} does not follow line {n - 1}: line {n - 1} was altered, or records after it were deleted");
    }

    private static (long Line, string Message)? CheckHead(string path, string? head, string? headPath, long lines, string? lastHash)
    {
        if (head is null)
        {
            return headPath is not null && lines > 0
                ? (lines, $"head file {headPath} is missing: the end of the log cannot be confirmed")
                : null;
        }
        if (lines == 0 || head == lastHash)
        {
            return null;
        }
        long? match = FindLine(path, head);
        return match is { } j
            ? (j + 1, $"the head points at line {j}; lines {j + 1}-{lines} were appended without updating the head (interrupted append, which the next sync adopts and records, or forged)")
            : (lines, $"the head does not match the last record (line {lines}): the log was truncated or its end rewritten");
    }

    /// <summary>The first line whose hash is <paramref name="hash"/>; a second pass, taken only once something is wrong.</summary>
    private static long? FindLine(string path, string hash)
    {
        foreach (var line in AuditLineReader.Read(path))
        {
            if (line.Hash == hash)
            {
                return line.Number;
            }
        }
        return null;
    }
}
