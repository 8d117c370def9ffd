namespace KeyAgentd.Trust.Policy;

/// <summary>The Registry:* settings that decide whether a signed snapshot is trusted.</summary>
public sealed record SignaturePolicyOptions
{
    public const string RegistryNamespace = "keyagentd-registry";

    /// <summary>The SSHSIG namespace every signature must carry (ssh-keygen -Y sign -n).</summary>
    public string Namespace { get; init; } = RegistryNamespace;

    /// <summary>Registry:SignatureThreshold: valid signatures required from distinct people (distinct keys with no allowed_signers principal in common).</summary>
    public int Threshold { get; init; } = 1;

    /// <summary>Registry:RequireUserPresence.</summary>
    public bool RequireUserPresence { get; init; }

    /// <summary>Policy:MinRsaBits, applied to signer keys as to user keys.</summary>
    public int MinRsaBits { get; init; } = 2048;
}
