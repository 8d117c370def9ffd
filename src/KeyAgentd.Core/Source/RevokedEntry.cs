namespace KeyAgentd.Core.Source;

/// <summary>A fingerprint on the `revoked` list and where it was written.</summary>
public readonly record struct RevokedEntry(string Fingerprint, SourceLocation Location);
