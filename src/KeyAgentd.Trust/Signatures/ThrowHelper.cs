using System.Diagnostics.CodeAnalysis;

namespace KeyAgentd.Trust.Signatures;

internal static class ThrowHelper
{
    [DoesNotReturn]
    public static void Malformed(string message) =>
        throw new SignatureFormatException(TrustReason.SignatureMalformed, message);
}
