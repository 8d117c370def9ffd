using System.CommandLine;
using KeyAgentd.Configuration;
using KeyAgentd.Core;

namespace KeyAgentd.Cli;

/// <summary>
/// The options every keyagentd-registry command accepts. None of a host's: the build machine has no
/// /etc/keyagentd/keyagentd.json, no accounts and no host state; its key policy comes from --policy.
/// </summary>
internal static class RegistryOptions
{
    public static readonly Option<string?> Policy = new("--policy")
    {
        Description = "JSON file with the fleet's Policy (and Safety) sections, as in keyagentd.json (default: the built-in policy)",
        Recursive = true,
    };

    public static readonly Option<string?> StateDir = new("--state-dir")
    {
        Description = "this tool's own state: the answers of the sources kept for --keep-last-on-source-error (default: beside SOURCE)",
        Recursive = true,
    };

    public static void AddTo(RootCommand root)
    {
        root.Options.Add(Policy);
        root.Options.Add(StateDir);
    }

    /// <summary>Runs a command with its policy; an unusable --policy file is exit 2 with the reason.</summary>
    public static int WithSettings(ParseResult parse, Func<RegistryToolSettings, int> action) =>
        Load(parse) is { } settings ? action(settings) : ExitCodes.Usage;

    /// <summary>Runs a command that awaits its sources with its policy; an unusable --policy file is exit 2 with the reason.</summary>
    public static async Task<int> WithSettingsAsync(ParseResult parse, Func<RegistryToolSettings, Task<int>> action) =>
        Load(parse) is { } settings ? await action(settings).ConfigureAwait(false) : ExitCodes.Usage;

    /// <summary>The settings of --policy, or null (the reason on stderr) when the file is unusable.</summary>
    private static RegistryToolSettings? Load(ParseResult parse)
    {
        try
        {
            return RegistryToolSettings.Load(parse.GetValue(Policy));
        }
        catch (SettingsException e)
        {
            Console.Error.WriteLine($"keyagentd-registry: {SafeText.Escape(e.Message)}");
            return null;
        }
    }
}
