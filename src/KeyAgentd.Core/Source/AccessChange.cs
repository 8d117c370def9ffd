namespace KeyAgentd.Core.Source;

/// <summary>One key that starts or stops reaching an account on a host, as the daemon would judge both documents.</summary>
public sealed record AccessChange(string Account, AccessChangeKind Kind, string Owner, string? Label, string Fingerprint, string KeyType);
