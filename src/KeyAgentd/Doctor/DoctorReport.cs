using KeyAgentd.Core;

namespace KeyAgentd.Doctor;

/// <summary>
/// What `doctor` found, line by line; any FAIL makes the exit code 1. Every text is escaped here, the
/// one place the report is assembled: it quotes a user's authorized_keys comments, paths and sshd's
/// messages, and none of those may drive root's terminal or forge a line of the report.
/// </summary>
public sealed class DoctorReport
{
    private readonly List<string> _lines = [];

    public int Problems { get; private set; }

    public int Warnings { get; private set; }

    public IReadOnlyList<string> Lines => _lines;

    public void Section(string title) => _lines.Add($"\n{SafeText.Escape(title)}");

    public void Ok(string text) => _lines.Add($"  ok    {SafeText.Escape(text)}");

    public void Info(string text) => _lines.Add($"        {SafeText.Escape(text)}");

    /// <summary>A further line about the finding above it (what sshd logs, the fix); counts as nothing by itself.</summary>
    public void Detail(string text) => _lines.Add($"          {SafeText.Escape(text)}");

    public void Warn(string text)
    {
        Warnings++;
        _lines.Add($"  WARN  {SafeText.Escape(text)}");
    }

    public void Fail(string text)
    {
        Problems++;
        _lines.Add($"  FAIL  {SafeText.Escape(text)}");
    }

    public override string ToString() => string.Join('\n', _lines).TrimStart('\n') + "\n";
}
