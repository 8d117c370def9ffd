namespace KeyAgentd.Core.Keys;

/// <summary>What a certificate says about itself; reported, never trusted as a plain authorized key.</summary>
public sealed record SshCertificateInfo(
    ulong Serial,
    SshCertificateKind Kind,
    string KeyId,
    IReadOnlyList<string> Principals,
    ulong ValidAfter,
    ulong ValidBefore);
