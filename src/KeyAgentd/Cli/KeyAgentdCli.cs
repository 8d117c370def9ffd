using System.CommandLine;

namespace KeyAgentd.Cli;

/// <summary>The `keyagentd` command tree (README "Commands").</summary>
public static class KeyAgentdCli
{
    public static RootCommand Build()
    {
        var root = new RootCommand("keyagentd: keeps every account's SSH authorized_keys equal to the key registry");
        CommonOptions.AddTo(root);
        root.Subcommands.Add(FingerprintCommand.Create());
        root.Subcommands.Add(CheckCommand.Create());
        root.Subcommands.Add(ImportCommand.Create());
        root.Subcommands.Add(SyncCommand.Create());
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(ConfigCommand.Create());
        root.Subcommands.Add(StatusCommand.Create());
        root.Subcommands.Add(DoctorCommand.Create());
        root.Subcommands.Add(AuditCommand.Create());
        root.Subcommands.Add(TrustCommand.Create());
        root.Subcommands.Add(RegistryCommand.Create());
        return root;
    }
}
