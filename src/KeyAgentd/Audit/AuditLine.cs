namespace KeyAgentd.Audit;

/// <summary>
/// One raw line of the log. <see cref="Bytes"/> is null when the line exceeded the reader's cap (its hash is
/// still exact); <see cref="Terminated"/> is false for a last line without its newline.
/// </summary>
internal readonly record struct AuditLine(long Number, byte[]? Bytes, string Hash, bool Terminated);
