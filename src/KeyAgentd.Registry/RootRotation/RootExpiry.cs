using System.Globalization;
using KeyAgentd.Configuration;
using KeyAgentd.Trust.Root;

namespace KeyAgentd.RootRotation;

/// <summary>
/// --expires DURATION|DATE, and the dates of a snapshot signer's validity window: a duration from now
/// (365d, 8760h), a day (2027-06-01, midnight UTC) or a UTC time (2027-06-01T12:00:00Z). Always to the
/// second, as the canonical document writes it.
/// </summary>
internal static class RootExpiry
{
    public const string AcceptedForms = "a duration (365d, 8760h) or a UTC date (2027-06-01 or 2027-06-01T00:00:00Z)";

    /// <exception cref="RootRefusedException">Neither a positive duration nor a date.</exception>
    public static DateTimeOffset Parse(string text, DateTimeOffset now, string what)
    {
        if (Durations.TryParse(text, out var duration) && duration > TimeSpan.Zero)
        {
            return ToSecond(now + duration);
        }
        return ParseDate(text, what);
    }

    /// <exception cref="RootRefusedException">Not a date in one of the two forms.</exception>
    public static DateTimeOffset ParseDate(string text, string what)
    {
        foreach (string format in (string[])["yyyy-MM-dd", TrustRootWriter.DateFormat])
        {
            if (DateTimeOffset.TryParseExact(text, format, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var date))
            {
                return date;
            }
        }
        throw new RootRefusedException(RootRefusal.ChangeInvalid, $"{what} \"{text}\" is not {AcceptedForms}");
    }

    public static DateTimeOffset ToSecond(DateTimeOffset when)
    {
        var utc = when.ToUniversalTime();
        return new DateTimeOffset(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
    }
}
