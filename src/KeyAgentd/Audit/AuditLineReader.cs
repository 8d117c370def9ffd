using System.Buffers;
using System.Security.Cryptography;

namespace KeyAgentd.Audit;

/// <summary>Streams a log line by line with the exact bytes and hash of each line, whatever the file's size.</summary>
internal static class AuditLineReader
{
    /// <summary>Far above any real record (an authorized_keys line is at most 8 KiB to sshd).</summary>
    public const int MaxLineBytes = 1024 * 1024;

    public static IEnumerable<AuditLine> Read(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0);
        var buffer = new byte[64 * 1024];
        var line = new ArrayBufferWriter<byte>();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long number = 0;
        bool pending = false;
        bool tooLong = false;
        int read;
        while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            int start = 0;
            while (start < read)
            {
                int newline = Array.IndexOf(buffer, (byte)'\n', start, read - start);
                int end = newline < 0 ? read : newline;
                hash.AppendData(buffer, start, end - start);
                if (line.WrittenCount + (end - start) > MaxLineBytes)
                {
                    tooLong = true;
                }
                else
                {
                    line.Write(buffer.AsSpan(start, end - start));
                }
                pending = true;
                if (newline < 0)
                {
                    break;
                }
                start = newline + 1;
                yield return Finish(++number, terminated: true);
            }
        }
        if (pending)
        {
            yield return Finish(++number, terminated: false);
        }

        AuditLine Finish(long lineNumber, bool terminated)
        {
            var result = new AuditLine(lineNumber, tooLong ? null : line.WrittenSpan.ToArray(), Convert.ToHexStringLower(hash.GetHashAndReset()), terminated);
            line.ResetWrittenCount();
            pending = false;
            tooLong = false;
            return result;
        }
    }
}
