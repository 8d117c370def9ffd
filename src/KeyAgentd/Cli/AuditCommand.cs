using System.CommandLine;
using KeyAgentd.Audit;
using KeyAgentd.Core;
using KeyAgentd.State;

namespace KeyAgentd.Cli;

/// <summary>`keyagentd audit verify`: recomputes the hash chain of the audit log.</summary>
internal static class AuditCommand
{
    public static Command Create()
    {
        var file = new Option<string?>("--file") { Description = "audit log to verify (default Audit:Path)" };
        var verify = new Command("verify", "check the audit log's hash chain (edits, deletions, truncation)") { file };
        verify.SetAction(parse => CommonOptions.WithSettings(parse, settings =>
        {
            string path = parse.GetValue(file) ?? settings.Audit.Path;
            var result = AuditVerifier.Verify(path, new StateStore(settings.State.Directory).AuditHeadPath);
            Console.Out.WriteLine($"{SafeText.Escape(path)}: {SafeText.Escape(result.Message)}");
            return result.Ok ? ExitCodes.Ok : ExitCodes.Failed;
        }));
        return new Command("audit", "audit log tools") { verify };
    }
}
