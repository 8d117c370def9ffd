namespace KeyAgentd.Core.Source;

/// <summary>An error fails `registry validate` and stops `registry build`; a warning is reported and built.</summary>
public enum ProblemSeverity
{
    Error,
    Warning,
}
