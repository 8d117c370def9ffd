namespace KeyAgentd.Trust.Signatures;

/// <summary>What a cryptographically valid signature must also satisfy.</summary>
public sealed record SignatureVerifyOptions
{
    /// <summary>Smallest RSA modulus accepted (Policy:MinRsaBits); OpenSSH's own floor is 1024.</summary>
    public int MinRsaBits { get; init; } = 2048;

    /// <summary>Registry:RequireUserPresence: a security-key signature must carry the touch flag (0x01).</summary>
    public bool RequireUserPresence { get; init; }
}
