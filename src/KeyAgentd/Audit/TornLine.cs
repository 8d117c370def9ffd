namespace KeyAgentd.Audit;

/// <summary>
/// The unterminated end of the log: <paramref name="Length"/> bytes from offset <paramref name="Start"/>, with
/// their SHA-256, and the bytes themselves when small enough to keep in the record that reports the cut.
/// </summary>
internal sealed record TornLine(long Start, long Length, string Sha256, byte[]? Bytes);
