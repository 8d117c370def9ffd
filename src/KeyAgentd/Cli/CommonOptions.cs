using System.CommandLine;
using KeyAgentd.Configuration;
using KeyAgentd.Core;

namespace KeyAgentd.Cli;

/// <summary>The options every command accepts (README "Commands", common options).</summary>
internal static class CommonOptions
{
    public static readonly Option<string?> Config = new("--config") { Description = $"configuration file (default {KeyAgentdSettings.DefaultConfigPath})", Recursive = true };

    public static readonly Option<string?> Registry = new("--registry") { Description = "registry URL (file:///… or http(s)://…); overrides Registry:Url", Recursive = true };

    public static readonly Option<string?> StateDir = new("--state-dir") { Description = "state directory; overrides State:Directory", Recursive = true };

    public static readonly Option<string?> PasswdFile = new("--passwd-file") { Description = "take accounts from this passwd-format file instead of NSS", Recursive = true };

    public static void AddTo(RootCommand root)
    {
        root.Options.Add(Config);
        root.Options.Add(Registry);
        root.Options.Add(StateDir);
        root.Options.Add(PasswdFile);
    }

    /// <summary>Runs a command with its settings; unusable configuration, or a file the caller may not open, is exit 2 with the reason, for every command alike.</summary>
    /// <param name="check">More checks at load (what `run` needs), reported the same way.</param>
    public static int WithSettings(ParseResult parse, Func<KeyAgentdSettings, int> action, Action<KeyAgentdSettings>? check = null)
    {
        try
        {
            return action(LoadSettings(parse, check));
        }
        catch (SettingsException e)
        {
            Console.Error.WriteLine($"keyagentd: {SafeText.Escape(e.Message)}");
            return ExitCodes.Usage;
        }
        catch (Exception e) when (PermissionDenied.Path(e) is { } denied)
        {
            return PermissionDenied.Report(denied, Console.Error);
        }
    }

    /// <param name="check">More checks at load (what `run` needs), reported the same way.</param>
    public static async Task<int> WithSettingsAsync(ParseResult parse, Func<KeyAgentdSettings, Task<int>> action, Action<KeyAgentdSettings>? check = null)
    {
        try
        {
            return await action(LoadSettings(parse, check)).ConfigureAwait(false);
        }
        catch (SettingsException e)
        {
            Console.Error.WriteLine($"keyagentd: {SafeText.Escape(e.Message)}");
            return ExitCodes.Usage;
        }
        catch (Exception e) when (PermissionDenied.Path(e) is { } denied)
        {
            return PermissionDenied.Report(denied, Console.Error);
        }
    }

    public static KeyAgentdSettings LoadSettings(ParseResult parse, Action<KeyAgentdSettings>? check = null) =>
        SettingsLoader.Load(parse.GetValue(Config), new Dictionary<string, string?>
        {
            ["Registry:Url"] = parse.GetValue(Registry),
            ["State:Directory"] = parse.GetValue(StateDir),
            ["Accounts:PasswdFile"] = parse.GetValue(PasswdFile),
        }, check);

    /// <summary>The configuration file this command reads: --config, else the default path.</summary>
    public static string ConfigPath(ParseResult parse) => parse.GetValue(Config) ?? KeyAgentdSettings.DefaultConfigPath;
}
