using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;

namespace KeyAgentd.Audit;

/// <summary>
/// Reads the end of an open log backwards in small chunks, so finding the last record's hash costs
/// the same for a 1 KiB log and a 10 GiB one.
/// </summary>
internal sealed class AuditLogTail(SafeFileHandle handle, long length)
{
    private const int Chunk = 8192;

    /// <summary>A torn line up to this size is kept whole in the record that reports it.</summary>
    private const int TornLineKeptBytes = 64 * 1024;

    private readonly byte[] _buffer = new byte[Chunk];

    /// <summary>
    /// What <see cref="AuditRecovery"/> decides from: the torn end, the last whole line's hash, and the whole
    /// line whose hash is <paramref name="head"/>, looked for back from the last one over the lines ending
    /// within <see cref="AuditRecovery.HeadSearchBytes"/> of it (the widest window the decision may use).
    /// </summary>
    public AuditLogEnd Read(string? head)
    {
        var torn = TornLine();
        long lastEnd = (torn is null ? length : torn.Start) - 1;
        if (lastEnd < 0)
        {
            return new AuditLogEnd(length, torn, null, -1, null);
        }
        string last = HashRange(FindLineStart(lastEnd), lastEnd);
        return new AuditLogEnd(length, torn, last, lastEnd, AuditChain.IsHash(head) ? FindHead(head!, lastEnd) : null);
    }

    private HeadLine? FindHead(string head, long lastEnd)
    {
        long end = lastEnd;
        long limit = Math.Max(0, lastEnd - AuditRecovery.HeadSearchBytes);
        for (int after = 0; end > limit; after++)
        {
            long start = FindLineStart(end);
            if (HashRange(start, end) == head)
            {
                return new HeadLine(after, end);
            }
            end = start - 1;
        }
        return null;
    }

    /// <summary>
    /// The bytes after the last newline, which only a write that stopped part-way (killed, disk full) or a
    /// tamperer leaves: every record is written with its newline. Null when the log ends with a newline.
    /// </summary>
    private TornLine? TornLine()
    {
        if (length == 0 || ReadByte(length - 1) == (byte)'\n')
        {
            return null;
        }
        long start = FindLineStart(length);
        long count = length - start;
        byte[]? bytes = count <= TornLineKeptBytes ? new byte[count] : null;
        if (bytes is not null)
        {
            ReadExactly(bytes, start);
        }
        return new TornLine(start, count, HashRange(start, length), bytes);
    }

    private long FindLineStart(long end)
    {
        long position = end;
        while (position > 0)
        {
            int count = (int)Math.Min(Chunk, position);
            Span<byte> span = _buffer.AsSpan(0, count);
            ReadExactly(span, position - count);
            int newline = span.LastIndexOf((byte)'\n');
            if (newline >= 0)
            {
                return position - count + newline + 1;
            }
            position -= count;
        }
        return 0;
    }

    private string HashRange(long start, long end)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        for (long position = start; position < end;)
        {
            int count = (int)Math.Min(Chunk, end - position);
            ReadExactly(_buffer.AsSpan(0, count), position);
            hash.AppendData(_buffer, 0, count);
            position += count;
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private byte ReadByte(long offset)
    {
        ReadExactly(_buffer.AsSpan(0, 1), offset);
        return _buffer[0];
    }

    private void ReadExactly(Span<byte> span, long offset)
    {
        while (!span.IsEmpty)
        {
            int read = RandomAccess.Read(handle, span, offset);
            if (read == 0)
            {
                throw new IOException("the audit log shrank while it was being read");
            }
            span = span[read..];
            offset += read;
        }
    }
}
