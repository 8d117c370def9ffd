using System.CommandLine;

namespace KeyAgentd.Cli;

/// <summary>`keyagentd registry …`: tools for the registry side and for checking what a host would accept.</summary>
internal static class RegistryCommand
{
    public static Command Create() => new("registry", "registry tools") { RegistryVerifyCommand.Create() };
}
