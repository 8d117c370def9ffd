namespace KeyAgentd.Core.Source;

/// <summary>
/// One cas.yaml entry: a certificate authority the rules name, its public key (the .pub of the key
/// <c>ssh-keygen -s</c> signs with), optionally until <see cref="NotAfter"/>. <see cref="Comment"/> is
/// for reviewers only and never reaches a host.
/// </summary>
public sealed record SourceCertificateAuthority(string Name, SourceKey Key, DateTimeOffset? NotAfter, string? Comment, SourceLocation Location);
