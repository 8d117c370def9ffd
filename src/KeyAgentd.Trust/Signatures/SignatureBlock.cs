namespace KeyAgentd.Trust.Signatures;

/// <summary>One armored block of a .sig file: either a parsed signature or why it could not be parsed.</summary>
public sealed class SignatureBlock
{
    private SignatureBlock(SshSignature? signature, TrustReason reason, string? error)
    {
        Signature = signature;
        Reason = reason;
        Error = error;
    }

    public SshSignature? Signature { get; }

    /// <summary><see cref="TrustReason.Accepted"/> when parsed, else the parse failure.</summary>
    public TrustReason Reason { get; }

    public string? Error { get; }

    public static SignatureBlock Parsed(SshSignature signature) => new(signature, TrustReason.Accepted, null);

    public static SignatureBlock Failed(TrustReason reason, string error) => new(null, reason, error);
}
