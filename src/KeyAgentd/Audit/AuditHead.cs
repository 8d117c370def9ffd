using System.Text;
using KeyAgentd.State;
using KeyAgentd.Storage;

namespace KeyAgentd.Audit;

/// <summary>
/// The head file holds the hash of the last record appended. It lives outside the log (in the state
/// directory), so cutting records off the end of the log, or deleting it, no longer goes unnoticed.
/// </summary>
internal static class AuditHead
{
    private const int MaxBytes = 1024;

    /// <summary>
    /// The stored text (trimmed), or null when there is no head file. Something other than a regular file
    /// there (a FIFO must not hang an append) reads as empty text: not a hash, so `audit verify` reports it
    /// and an append continues from the log's last line and writes a regular head over it.
    /// </summary>
    public static string? Read(string? path)
    {
        if (path is null)
        {
            return null;
        }
        byte[]? content;
        try
        {
            content = Posix.ReadStateFile(path, MaxBytes);
        }
        catch (InvalidDataException)
        {
            return "";
        }
        return content is null ? null : Encoding.ASCII.GetString(content).Trim();
    }

    public static void Write(string path, string hash) =>
        DurableFile.WriteAllBytes(path, Encoding.ASCII.GetBytes(hash + "\n"), AuditLog.FileMode);

    /// <summary>Creates the head's directory when missing: the state directory, with its one mode.</summary>
    public static void EnsureDirectory(string path)
    {
        string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            StateDirectory.Create(directory);
        }
    }
}
