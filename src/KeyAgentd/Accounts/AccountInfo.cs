namespace KeyAgentd.Accounts;

public sealed record AccountInfo(string Name, uint Uid, uint Gid, string Home, string Shell);
