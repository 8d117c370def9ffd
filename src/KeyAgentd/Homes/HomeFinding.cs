namespace KeyAgentd.Homes;

/// <summary>
/// One path `doctor` looked at. <see cref="Path"/> is for display only: the writer never
/// opens it as a whole. <see cref="SshdLog"/> is the line sshd (StrictModes) would log for
/// it, when sshd itself would refuse it.
/// </summary>
public sealed record HomeFinding(
    string Path,
    uint? OwnerUid,
    string? Mode,
    FindingSeverity Severity,
    string? Code,
    string Message,
    string? SshdLog);
