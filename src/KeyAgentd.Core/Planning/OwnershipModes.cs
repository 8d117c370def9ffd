using System.Diagnostics.CodeAnalysis;

namespace KeyAgentd.Core.Planning;

/// <summary>The configuration spellings of <see cref="OwnershipMode"/>; they are public interface and never change.</summary>
public static class OwnershipModes
{
    public static string ToName(this OwnershipMode mode) => mode switch
    {
        OwnershipMode.Exclusive => "exclusive",
        OwnershipMode.ManagedBlock => "managed-block",
        OwnershipMode.Report => "report",
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, null),
    };

    /// <summary>Case-insensitive, because the value often comes from an environment variable typed by hand.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out OwnershipMode mode)
    {
        foreach (var value in Enum.GetValues<OwnershipMode>())
        {
            if (string.Equals(text?.Trim(), value.ToName(), StringComparison.OrdinalIgnoreCase))
            {
                mode = value;
                return true;
            }
        }
        mode = default;
        return false;
    }
}
