namespace KeyAgentd.State;

/// <summary>One thing <see cref="StateDirectory.Secure"/> put right: the directory and what it was.</summary>
public sealed record StateDirectoryRepair(string Path, string What);
