namespace KeyAgentd.Audit;

/// <summary>
/// The end of the log as found under the lock, before anything is made good: its length, the unterminated
/// bytes after its last newline (if any), the hash of its last whole line, and where the head's line is.
/// </summary>
/// <param name="LastLineHash">Hash of the last newline-terminated line; null when there is none.</param>
/// <param name="LastLineEnd">Offset where that line ends (its newline); -1 when there is none.</param>
/// <param name="Head">The newline-terminated line whose hash is the head, nearest the end; null when none near the end has it.</param>
internal sealed record AuditLogEnd(long Length, TornLine? Torn, string? LastLineHash, long LastLineEnd, HeadLine? Head);

/// <summary>The line the head names: <paramref name="LinesAfter"/> whole lines follow it, and it ends at <paramref name="End"/>.</summary>
internal sealed record HeadLine(int LinesAfter, long End);
