namespace KeyAgentd.State;

/// <summary>What reading trust-state.json found. Never "missing" for a file that is there but damaged.</summary>
/// <param name="State">The state when the file is valid; null when missing or damaged.</param>
/// <param name="Problem">Why a file that is there cannot be used (damaged, unreadable, not a regular file).</param>
public sealed record TrustStateRead(TrustState? State, string? Problem)
{
    public static readonly TrustStateRead Missing = new(null, null);

    public bool IsMissing => State is null && Problem is null;

    public bool IsDamaged => Problem is not null;
}
