namespace KeyAgentd.Core.Source;

/// <summary>What one read of the directory returned: the entries of the people search and of the groups search.</summary>
public sealed record DirectoryAnswer(IReadOnlyList<DirectoryEntry> People, IReadOnlyList<DirectoryEntry> Groups);
