namespace KeyAgentd.Homes;

/// <summary>What <see cref="HomeKeyFiles.Inspect"/> found, from "/" down to authorized_keys.</summary>
public sealed record HomeInspection(string Account, IReadOnlyList<HomeFinding> Findings)
{
    public bool HasErrors => Findings.Any(f => f.Severity == FindingSeverity.Error);

    public bool HasWarnings => Findings.Any(f => f.Severity == FindingSeverity.Warning);
}
