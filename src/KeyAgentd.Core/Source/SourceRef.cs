namespace KeyAgentd.Core.Source;

/// <summary>A name written in the source (a person, group, account or host glob) and where, so an error can point at it.</summary>
public readonly record struct SourceRef(string Name, SourceLocation Location);
