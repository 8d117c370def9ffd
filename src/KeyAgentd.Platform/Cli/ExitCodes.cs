namespace KeyAgentd.Cli;

/// <summary>The exit codes README "Commands" documents, the same for keyagentd and keyagentd-registry; scripts and monitoring depend on them.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int Usage = 2;
    public const int RegistryUnusable = 3;
    public const int MassRemovalGuard = 4;
}
