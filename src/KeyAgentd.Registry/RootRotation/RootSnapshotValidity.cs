using KeyAgentd.Configuration;
using KeyAgentd.Core;
using KeyAgentd.Trust.Root;

namespace KeyAgentd.RootRotation;

/// <summary>
/// `--max-snapshot-validity DURATION|none`: the longest a snapshot signed under this root may stay valid
/// (expires_at − issued_at), hosts take the smaller of it and their own Registry:MaxValidity, so
/// a leaked snapshot key's documents cannot be replayed for longer than the root allows. Whole seconds, as the document writes it.
/// </summary>
internal static class RootSnapshotValidity
{
    public const string AcceptedForms = "a duration (7d, 36h, 86400) up to 10 years, or none";

    /// <param name="allowNone">`none` removes the limit (propose); a first root simply leaves the option out.</param>
    /// <exception cref="RootRefusedException">Not a whole-second duration within the limit.</exception>
    public static SnapshotValidityChange Parse(string text, bool allowNone)
    {
        if (allowNone && string.Equals(text.Trim(), "none", StringComparison.OrdinalIgnoreCase))
        {
            return new SnapshotValidityChange(null);
        }
        if (!Durations.TryParse(text, out var limit) || limit < TimeSpan.FromSeconds(1)
            || limit > TrustRootParser.MaxSnapshotValidityLimit || limit.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            throw new RootRefusedException(RootRefusal.ChangeInvalid,
                $"--max-snapshot-validity \"{SafeText.Escape(text, 80)}\" is not {(allowNone ? AcceptedForms : AcceptedForms.Replace(", or none", "", StringComparison.Ordinal))}");
        }
        return new SnapshotValidityChange(limit);
    }
}
