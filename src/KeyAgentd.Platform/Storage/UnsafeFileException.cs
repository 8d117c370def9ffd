namespace KeyAgentd.Storage;

/// <summary>
/// A file that decides what root trusts was not read (<see cref="TrustedFile"/>): missing, not a
/// regular file, empty, too large, or writable by someone other than root and the user keyagentd
/// runs as. An <see cref="IOException"/>, so every caller that treats an unreadable file as
/// unusable does the same with an unsafe one; the message names the setting, the path and the fix.
/// </summary>
public sealed class UnsafeFileException(string setting, string path, string message, string? fix) : IOException(message)
{
    /// <summary>The setting that names the file (for the configuration file: "--config").</summary>
    public string Setting { get; } = setting;

    /// <summary>The file or directory that failed the rule.</summary>
    public string Path { get; } = path;

    /// <summary>The commands that make it safe, when ownership or mode is the problem.</summary>
    public string? Fix { get; } = fix;
}
