using System.CommandLine;
using KeyAgentd.Configuration;
using KeyAgentd.Core;
using KeyAgentd.Logging;
using KeyAgentd.State;
using KeyAgentd.Sync;
using Mono.Unix.Native;
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
            if (PermissionDenied.FirstDenied(Inputs(settings, parse.GetValue(dryRun))) is { } denied)
            {
                return PermissionDenied.Report(denied, Console.Error);
            }
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
            return SyncExitCode.For(result.Outcome);
        }));
        return command;
    }

    /// <summary>
    /// What a cycle reads (and, unless --dry-run, writes) before it can judge anything: without them it
    /// would refuse every snapshot for a trust state it cannot read, so the caller's rights are checked first.
    /// </summary>
    private static IEnumerable<(string, AccessModes)> Inputs(KeyAgentdSettings settings, bool dryRun)
    {
        string state = settings.State.Directory;
        yield return (state, dryRun ? AccessModes.R_OK | AccessModes.X_OK : AccessModes.R_OK | AccessModes.W_OK | AccessModes.X_OK);
        foreach (string file in new[] { TrustStateStore.FileName, StateStore.StatusFileName, StateStore.SnapshotFileName })
        {
            yield return (Path.Combine(state, file), AccessModes.R_OK);
        }
        yield return (settings.Audit.Path, dryRun ? AccessModes.R_OK : AccessModes.R_OK | AccessModes.W_OK);
    }
}
