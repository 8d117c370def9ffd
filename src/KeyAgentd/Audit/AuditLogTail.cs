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

    /// <summary>How far back a stale head is looked for (see <see cref="HeadIsWithin"/>).</summary>
    private const long HeadSearchBytes = 1024 * 1024;

    /// <summary>A torn line up to this size is kept whole in the record that reports it.</summary>
    private const int TornLineKeptBytes = 64 * 1024;

    private readonly byte[] _buffer = new byte[Chunk];

    public bool EndsWithNewline => length > 0 && ReadByte(length - 1) == (byte)'\n';

    /// <summary>End offset (exclusive, newline not included) of the last line.</summary>
    public long LastLineEnd => EndsWithNewline ? length - 1 : length;

    public string LastLineHash()
    {
        long end = LastLineEnd;
        return HashRange(FindLineStart(end), end);
    }

    /// <summary>
    /// How many complete lines follow the one whose hash is <paramref name="head"/> (searching up to 1 MiB back):
    /// 0 when the head is the last line; more when a process stopped after appending a batch but before
    /// updating the head; null when no line near the end has that hash (the end was cut off or rewritten).
    /// </summary>
    public int? LinesAfter(string head)
    {
        long end = LastLineEnd;
        long limit = Math.Max(0, end - HeadSearchBytes);
        for (int after = 0; end > limit; after++)
        {
            long start = FindLineStart(end);
            if (HashRange(start, end) == head)
            {
                return after;
            }
            end = start - 1;
        }
        return null;
    }

    /// <summary>
    /// The bytes after the last newline, which only a write that stopped part-way (killed, disk full) or a
    /// tamperer leaves: every record is written with its newline. Null when the log ends with a newline.
    /// </summary>
    public TornLine? TornLine()
    {
        if (length == 0 || EndsWithNewline)
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
