using KeyAgentd.Core.Policy;

namespace KeyAgentd.Core.Source;

/// <summary>
/// One finding about a registry source: where, how bad, the stable code (a <see cref="ReasonCode"/>
/// for a key's own problem, a <see cref="SourceReason"/> otherwise), what is wrong and how to fix it.
/// Messages may quote source text; the edge escapes them with <see cref="SafeText"/> before printing.
/// </summary>
public sealed record SourceProblem(SourceLocation Location, ProblemSeverity Severity, string Code, string Message, string Fix)
{
    public static SourceProblem Error(SourceLocation location, SourceReason reason, string message, string fix) =>
        new(location, ProblemSeverity.Error, reason.ToCode(), message, fix);

    public static SourceProblem Warning(SourceLocation location, SourceReason reason, string message, string fix) =>
        new(location, ProblemSeverity.Warning, reason.ToCode(), message, fix);

    public static SourceProblem ForKey(SourceLocation location, Verdict verdict, string? suggestion = null) =>
        new(location, KeyFixes.IsWarning(verdict.Reason) ? ProblemSeverity.Warning : ProblemSeverity.Error,
            verdict.Code, verdict.Message, suggestion ?? KeyFixes.For(verdict.Reason));
}
