namespace KeyAgentd.Trust.Signatures;

/// <summary>A signature file or blob that cannot be read; carries the stable reason.</summary>
public sealed class SignatureFormatException(TrustReason reason, string message) : Exception(message)
{
    public TrustReason Reason { get; } = reason;
}
