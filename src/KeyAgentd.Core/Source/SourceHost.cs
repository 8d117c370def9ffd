namespace KeyAgentd.Core.Source;

/// <summary>An inventory entry in hosts.yaml: the host's name (what it matches as audience) and its labels.</summary>
public sealed record SourceHost(string Name, IReadOnlyDictionary<string, string> Labels, SourceLocation Location);
