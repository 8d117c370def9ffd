using System.CommandLine;
using KeyAgentd.Core;

namespace KeyAgentd.Cli;

/// <summary>
/// `keyagentd registry build|validate|diff|sign`, kept for one release after the registry side moved to
/// its own program (package keyagentd-registry): a CI job or a script still calling the old spelling gets
/// one line naming the command to call instead, and exit 2 (usage), never a parse error about options.
/// </summary>
internal static class MovedRegistryCommand
{
    public const string Program = "keyagentd-registry";

    public static Command Create(string name)
    {
        var command = new Command(name, $"moved: run {Program} {name} (package {Program})") { Hidden = true, TreatUnmatchedTokensAsErrors = false };
        command.SetAction(parse =>
        {
            Console.Error.WriteLine(Message(name, parse.UnmatchedTokens));
            return ExitCodes.Usage;
        });
        return command;
    }

    /// <summary>The line, with the arguments given (escaped: they came from the caller) after the new command's name.</summary>
    public static string Message(string name, IReadOnlyList<string> arguments) =>
        $"keyagentd: 'registry {name}' moved to the {Program} program (package {Program}): {Program} {name} " +
        (arguments.Count == 0 ? "…" : SafeText.Escape(string.Join(' ', arguments), 400));
}
