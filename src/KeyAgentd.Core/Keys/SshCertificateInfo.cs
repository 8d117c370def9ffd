namespace KeyAgentd.Core.Keys;

/// <summary>What a certificate says about itself; reported, never trusted as a plain authorized key.</summary>
public sealed record SshCertificateInfo(
    ulong Serial,
    SshCertificateKind Kind,
    string KeyId,
    IReadOnlyList<string> Principals,
    ulong ValidAfter,
    ulong ValidBefore)
{
    /// <summary>valid_before of a certificate that never expires (PROTOCOL.certkeys: "forever").</summary>
    public const ulong Forever = ulong.MaxValue;

    /// <summary>The CA key that signed it (always a plain key: OpenSSH refuses a certificate as a CA).</summary>
    public SshPublicKey? SignatureKey { get; init; }

    /// <summary>The signature algorithm the CA used ("ssh-ed25519", "rsa-sha2-512"…), as ssh-keygen -L prints it.</summary>
    public string SignatureAlgorithm { get; init; } = "";

    /// <summary>Critical options in certificate order (source-address, force-command, verify-required…).</summary>
    public IReadOnlyList<SshCertificateOption> CriticalOptions { get; init; } = [];

    /// <summary>Extensions in certificate order (permit-pty, permit-port-forwarding…).</summary>
    public IReadOnlyList<SshCertificateOption> Extensions { get; init; } = [];
}
