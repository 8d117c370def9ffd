using System.Buffers;
using System.Security.Cryptography;

namespace KeyAgentd.Audit;

/// <summary>The hash that links a record to the line before it.</summary>
internal static class AuditChain
{
    /// <summary>The <c>prev</c> of the first record of a chain that continues nothing.</summary>
    public static readonly string Genesis = new('0', 64);

    public static string Hash(ReadOnlySpan<byte> line) => Convert.ToHexStringLower(SHA256.HashData(line));

    private static readonly SearchValues<char> LowerHex = SearchValues.Create("0123456789abcdef");

    public static bool IsHash(string? text) =>
        text is { Length: 64 } && text.AsSpan().IndexOfAnyExcept(LowerHex) < 0;
}
