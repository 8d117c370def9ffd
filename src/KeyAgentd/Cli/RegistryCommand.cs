using System.CommandLine;

namespace KeyAgentd.Cli;

/// <summary>`keyagentd registry …`: the registry side (README "Registry source") and checking what a host would accept.</summary>
internal static class RegistryCommand
{
    public static Command Create()
    {
        var command = new Command("registry", "build, check, compare, sign and verify the registry's per-host snapshots");
        command.Subcommands.Add(RegistryValidateCommand.Create());
        command.Subcommands.Add(RegistryBuildCommand.Create());
        command.Subcommands.Add(RegistryDiffCommand.Create());
        command.Subcommands.Add(RegistrySignCommand.Create());
        command.Subcommands.Add(RegistryVerifyCommand.Create());
        return command;
    }
}
