namespace KeyAgentd.Core.Source;

/// <summary>A named group in groups.yaml: people, and other groups whose members it includes.</summary>
public sealed record SourceGroup(string Name, IReadOnlyList<SourceRef> People, IReadOnlyList<SourceRef> Groups, SourceLocation Location);
