using KeyAgentd.Storage;

namespace KeyAgentd.Homes;

/// <summary>Outcome of <see cref="HomeKeyFiles.ReadAuthorizedKeys"/>.</summary>
public sealed class FileReadResult
{
    private FileReadResult(FileReadStatus status, string? text, FileRefusal? refusal, FileIdentity? identity = null)
    {
        Status = status;
        Text = text;
        Refusal = refusal;
        Identity = identity;
    }

    public static FileReadResult Missing { get; } = new(FileReadStatus.Missing, null, null);

    public FileReadStatus Status { get; }

    /// <summary>The file's text (UTF-8; invalid bytes become U+FFFD) when <see cref="Status"/> is Ok.</summary>
    public string? Text { get; }

    /// <summary>Why reading was refused when <see cref="Status"/> is Refused.</summary>
    public FileRefusal? Refusal { get; }

    /// <summary>Which bytes were read (the opened file's fstat, taken before reading) when <see cref="Status"/> is Ok.</summary>
    internal FileIdentity? Identity { get; }

    public static FileReadResult Ok(string text) => new(FileReadStatus.Ok, text, null);

    internal static FileReadResult Ok(string text, FileIdentity identity) => new(FileReadStatus.Ok, text, null, identity);

    public static FileReadResult Refused(FileRefusal refusal) => new(FileReadStatus.Refused, null, refusal);

    public override string ToString() => Status == FileReadStatus.Refused ? $"Refused ({Refusal})" : Status.ToString();
}
