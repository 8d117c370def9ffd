namespace KeyAgentd.Homes;

/// <summary>Outcome of <see cref="HomeKeyFiles.WriteAuthorizedKeys"/>.</summary>
public sealed class FileWriteResult
{
    private FileWriteResult(FileWriteStatus status, FileRefusal? refusal)
    {
        Status = status;
        Refusal = refusal;
    }

    public static FileWriteResult Written { get; } = new(FileWriteStatus.Written, null);

    public static FileWriteResult Unchanged { get; } = new(FileWriteStatus.Unchanged, null);

    public FileWriteStatus Status { get; }

    /// <summary>Why nothing was written when <see cref="Status"/> is Refused; the old file is intact.</summary>
    public FileRefusal? Refusal { get; }

    public static FileWriteResult Refused(FileRefusal refusal) => new(FileWriteStatus.Refused, refusal);

    public override string ToString() => Status == FileWriteStatus.Refused ? $"Refused ({Refusal})" : Status.ToString();
}
