using System.CommandLine;
using KeyAgentd.Configuration;
using KeyAgentd.Core;
using KeyAgentd.Daemon;

namespace KeyAgentd.Cli;

/// <summary>
/// `keyagentd config validate`: loads the configuration exactly as `run` does (file, environment,
/// options, and what the daemon needs) and says whether the daemon would accept it. The unit's
/// ExecReload runs it before sending SIGHUP, so `systemctl reload` fails on a file the daemon would
/// refuse, instead of reporting success while the daemon keeps its old configuration.
/// </summary>
internal static class ConfigCommand
{
    public static Command Create()
    {
        var validate = new Command("validate", "check the configuration as `run` would load it (exit 0 usable, 2 not, with file:line:column)");
        validate.SetAction(parse => CommonOptions.WithSettings(parse, settings =>
        {
            var registry = settings.Registry;
            Console.Out.WriteLine(
                $"{SafeText.Escape(CommonOptions.ConfigPath(parse))}: ok: registry {SafeText.Escape(SettingsChanges.Redact(registry.Url ?? ""))}, " +
                $"polled every {Durations.Format(registry.PollInterval)} ± {Durations.Format(registry.Jitter)}, {Durations.Format(registry.Timeout)} per attempt");
            return ExitCodes.Ok;
        }, DaemonRequirements.Check));
        return new Command("config", "configuration tools") { validate };
    }
}
