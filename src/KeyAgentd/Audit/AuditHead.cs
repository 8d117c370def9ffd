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

    /// <summary>The stored text (trimmed), or null when there is no head file.</summary>
    public static string? Read(string? path)
    {
        if (path is null || !File.Exists(path))
        {
            return null;
        }
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var buffer = new byte[MaxBytes];
        int length = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        return Encoding.ASCII.GetString(buffer, 0, length).Trim();
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
