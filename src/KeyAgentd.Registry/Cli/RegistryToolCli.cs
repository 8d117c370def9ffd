using System.CommandLine;

namespace KeyAgentd.Cli;

/// <summary>The `keyagentd-registry` command tree (README "Registry source"): the build machine's side of the registry.</summary>
public static class RegistryToolCli
{
    public static RootCommand Build()
    {
        var root = new RootCommand("keyagentd-registry: validates, builds, compares and signs the per-host snapshots keyagentd hosts fetch, and the trust root that names their signers");
        RegistryOptions.AddTo(root);
        root.Subcommands.Add(RegistryValidateCommand.Create());
        root.Subcommands.Add(RegistryBuildCommand.Create());
        root.Subcommands.Add(RegistryDiffCommand.Create());
        root.Subcommands.Add(RegistrySignCommand.Create());
        root.Subcommands.Add(TrustRootCommand.Create());
        return root;
    }
}
