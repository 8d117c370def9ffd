using System.Security.Cryptography;

namespace KeyAgentd.Audit;

/// <summary>The hash that links a record to the line before it.</summary>
internal static class AuditChain
{
    /// <summary>The <c>prev</c> of the first record of a chain that continues nothing.</summary>
    public static readonly string Genesis = new('0', 64);

    public static string Hash(ReadOnlySpan<byte> line) => Convert.ToHexStringLower(SHA256.HashData(line));

    public static bool IsHash(string? text) =>
        text is { Length: 64 } && text.AsSpan().IndexOfAnyExcept("0123456789abcdef") < 0;
}
