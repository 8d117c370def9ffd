using System.Text.Json.Serialization;

namespace KeyAgentd.State;

/// <summary>
/// A serial this host accepted and, when known, the SHA-256 of the bytes it had: a lower serial is a
/// rollback, the same serial with other bytes an equivocation. Set by hand (`trust reset-serial`) it has no digest.
/// </summary>
public sealed record SerialMark(
    [property: JsonPropertyName("serial")] long Serial,
    [property: JsonPropertyName("sha256")] string? Sha256)
{
    /// <summary>The higher of the two; on a tie the one that knows its bytes.</summary>
    public static SerialMark? Max(SerialMark? a, SerialMark? b) => (a, b) switch
    {
        (null, _) => b,
        (_, null) => a,
        _ when a.Serial != b.Serial => a.Serial > b.Serial ? a : b,
        _ => a.Sha256 is not null ? a : b,
    };
}
