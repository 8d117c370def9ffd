namespace KeyAgentd.Trust.Root;

/// <summary>A root document that does not parse or breaks a structural rule; the message says where and why (escaped).</summary>
public sealed class TrustRootFormatException(string message) : FormatException(message);
