using System.Diagnostics.CodeAnalysis;
using KeyAgentd.Core.Policy;

namespace KeyAgentd.Core.Keys;

internal static class ThrowHelper
{
    [DoesNotReturn]
    public static void Truncated(string what) =>
        throw new KeyFormatException(ReasonCode.TruncatedBlob, $"key blob is truncated (while reading {what})");

    [DoesNotReturn]
    public static void Invalid(string message) =>
        throw new KeyFormatException(ReasonCode.InvalidKey, message);

    [DoesNotReturn]
    public static void Throw(ReasonCode reason, string message) =>
        throw new KeyFormatException(reason, message);
}
