using System.CommandLine;

namespace KeyAgentd.Cli;

/// <summary>
/// `keyagentd registry verify`: would this host apply a document (README "Registry source"). Building,
/// checking, comparing and signing are keyagentd-registry's; their old spellings here name it.
/// </summary>
internal static class RegistryCommand
{
    public static Command Create()
    {
        var command = new Command("registry", "verify a registry snapshot as this host would (build, validate, diff and sign: keyagentd-registry)");
        command.Subcommands.Add(RegistryVerifyCommand.Create());
        foreach (string moved in (string[])["validate", "build", "diff", "sign"])
        {
            command.Subcommands.Add(MovedRegistryCommand.Create(moved));
        }
        return command;
    }
}
