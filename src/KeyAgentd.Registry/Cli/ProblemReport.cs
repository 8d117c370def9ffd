using System.Text;
using System.Text.Json;
using KeyAgentd.Core;
using KeyAgentd.Core.Source;

namespace KeyAgentd.Cli;

/// <summary>Renders source problems: "file:line:col: error code: message" plus the fix, or JSON for bots.</summary>
internal static class ProblemReport
{
    public static IEnumerable<SourceProblem> Ordered(IEnumerable<SourceProblem> problems) =>
        problems.OrderBy(p => p.Location.File, StringComparer.Ordinal).ThenBy(p => p.Location.Line).ThenBy(p => p.Location.Column).ThenBy(p => p.Code, StringComparer.Ordinal);

    public static string Text(IReadOnlyList<SourceProblem> problems)
    {
        var text = new StringBuilder();
        foreach (var problem in Ordered(problems))
        {
            text.Append(SafeText.Escape(problem.Location.ToString(), 300)).Append(": ")
                .Append(problem.Severity == ProblemSeverity.Error ? "error " : "warning ")
                .Append(problem.Code).Append(": ").Append(SafeText.Escape(problem.Message, 600)).Append('\n')
                .Append("    fix: ").Append(SafeText.Escape(problem.Fix, 1200)).Append('\n');
        }
        int errors = problems.Count(p => p.Severity == ProblemSeverity.Error);
        text.Append(errors).Append(" error(s), ").Append(problems.Count - errors).Append(" warning(s)\n");
        return text.ToString();
    }

    public static void Json(Utf8JsonWriter writer, IReadOnlyList<SourceProblem> problems)
    {
        writer.WriteNumber("errors", problems.Count(p => p.Severity == ProblemSeverity.Error));
        writer.WriteNumber("warnings", problems.Count(p => p.Severity == ProblemSeverity.Warning));
        writer.WriteStartArray("problems");
        foreach (var problem in Ordered(problems))
        {
            writer.WriteStartObject();
            writer.WriteString("file", problem.Location.File);
            writer.WriteNumber("line", problem.Location.Line);
            writer.WriteNumber("column", problem.Location.Column);
            writer.WriteString("severity", problem.Severity == ProblemSeverity.Error ? "error" : "warning");
            writer.WriteString("code", problem.Code);
            writer.WriteString("message", problem.Message);
            writer.WriteString("fix", problem.Fix);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
    }
}
