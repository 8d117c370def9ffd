namespace KeyAgentd.Accounts;

/// <summary>A local account as the account database resolved it (NSS or a passwd-format file).</summary>
public sealed record AccountInfo(string Name, uint Uid, uint Gid, string Home, string Shell);
