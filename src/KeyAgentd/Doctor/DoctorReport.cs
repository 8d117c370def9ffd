namespace KeyAgentd.Doctor;

/// <summary>What `doctor` found, line by line; any FAIL makes the exit code 1.</summary>
public sealed class DoctorReport
{
    private readonly List<string> _lines = [];

    public int Problems { get; private set; }

    public int Warnings { get; private set; }

    public IReadOnlyList<string> Lines => _lines;

    public void Section(string title) => _lines.Add($"\n{title}");

    public void Ok(string text) => _lines.Add($"  ok    {text}");

    public void Info(string text) => _lines.Add($"        {text}");

    public void Warn(string text)
    {
        Warnings++;
        _lines.Add($"  WARN  {text}");
    }

    public void Fail(string text)
    {
        Problems++;
        _lines.Add($"  FAIL  {text}");
    }

    public override string ToString() => string.Join('\n', _lines).TrimStart('\n') + "\n";
}
