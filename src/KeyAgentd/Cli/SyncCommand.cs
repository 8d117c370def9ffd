using System.CommandLine;
using KeyAgentd.Core;
using KeyAgentd.Logging;
using KeyAgentd.Sync;
using Microsoft.Extensions.DependencyInjection;

namespace KeyAgentd.Cli;

/// <summary>`keyagentd sync [--dry-run] [--force]`: one cycle, then exit with the codes README "Commands" documents.</summary>
internal static class SyncCommand
{
    public static Command Create()
    {
        var dryRun = new Option<bool>("--dry-run") { Description = "print the per-account diff and write nothing" };
        var force = new Option<bool>("--force") { Description = "apply even if the mass-removal guard trips (Safety:MaxRemovalPercent and Safety:MinRemovedKeys)" };
        var command = new Command("sync", "run one sync cycle and exit") { dryRun, force };
        command.SetAction((parse, cancel) => CommonOptions.WithSettingsAsync(parse, async settings =>
        {
            using var services = AppServices.BuildForCommand(settings);
            var engine = services.GetRequiredService<SyncEngine>();
            SyncResult result;
            try
            {
                result = await engine.RunAsync(new SyncOptions(parse.GetValue(dryRun), parse.GetValue(force)), cancel).ConfigureAwait(false);
            }
            catch (Exception e) when (ExpectedFailure.Is(e))
            {
                // The message names the path and the cause; a stack trace would bury it (and read as a crash).
                Console.Error.WriteLine($"keyagentd: sync failed, files left as they were: {SafeText.Escape(e.Message, 600)}");
                return ExitCodes.Failed;
            }
            Console.Out.Write(result.DryRun ? SyncSummary.RenderDryRun(result) : SyncSummary.Render(result) + "\n");
            return ExitCodes.For(result.Outcome);
        }));
        return command;
    }
}
