namespace KeyAgentd.Core.Snapshot;

/// <summary>A person's keys; they reach every account whose grants name the person.</summary>
public sealed record RegistryPerson(IReadOnlyList<RegistryKey> Keys);
