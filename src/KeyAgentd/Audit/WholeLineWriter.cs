using System.Buffers;

namespace KeyAgentd.Audit;

/// <summary>
/// Writes lines in batches of whole lines, one write each. Batches keep memory flat for a first sync of
/// thousands of accounts (tens of thousands of records, tens of megabytes as one buffer); whole lines mean
/// a process killed between two writes leaves only whole lines behind.
/// </summary>
internal sealed class WholeLineWriter(Stream target)
{
    /// <summary>Lines are gathered up to this size before a write; a longer line goes alone.</summary>
    private const int BatchBytes = 64 * 1024;

    private readonly ArrayBufferWriter<byte> _batch = new(BatchBytes);

    /// <param name="line">One line, without its newline.</param>
    public void WriteLine(ReadOnlySpan<byte> line)
    {
        if (_batch.WrittenCount > 0 && _batch.WrittenCount + line.Length + 1 > BatchBytes)
        {
            Flush();
        }
        _batch.Write(line);
        _batch.Write("\n"u8);
    }

    /// <summary>Writes what is gathered; the caller still fsyncs.</summary>
    public void Flush()
    {
        if (_batch.WrittenCount > 0)
        {
            target.Write(_batch.WrittenSpan);
            _batch.ResetWrittenCount();
        }
    }
}
