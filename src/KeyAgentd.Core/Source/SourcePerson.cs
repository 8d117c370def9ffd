namespace KeyAgentd.Core.Source;

/// <summary>One people/&lt;name&gt;.keys file: the person's name is the file's name without ".keys".</summary>
public sealed record SourcePerson(string Name, IReadOnlyList<SourceKey> Keys, SourceLocation Location);
