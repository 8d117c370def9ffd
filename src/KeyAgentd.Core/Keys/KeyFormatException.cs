using KeyAgentd.Core.Policy;

namespace KeyAgentd.Core.Keys;

/// <summary>A key blob or line that cannot be read; carries the stable reason.</summary>
public sealed class KeyFormatException(ReasonCode reason, string message) : Exception(message)
{
    public ReasonCode Reason { get; } = reason;
}
