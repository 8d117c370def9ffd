using System.Globalization;

namespace KeyAgentd.Core.Source;

/// <summary>
/// `not_after` as people write it: a date (2027-06-01) means through the end of that day in UTC, so
/// the key still works on the day named; a full timestamp (2027-06-01T12:00:00Z) must carry its offset.
/// </summary>
public static class SourceDates
{
    public static bool TryParse(string text, out DateTimeOffset value)
    {
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            value = new DateTimeOffset(date.AddDays(1), TimeOnly.MinValue, TimeSpan.Zero);
            return true;
        }
        bool hasOffset = text.EndsWith('Z') || text.Length > 19 && text[19..].Contains('+', StringComparison.Ordinal) || text.Length > 19 && text[19..].Contains('-', StringComparison.Ordinal);
        if (hasOffset && text.Contains('T', StringComparison.Ordinal) &&
            DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out value))
        {
            value = value.ToUniversalTime();
            return true;
        }
        value = default;
        return false;
    }

    public const string Expected = "a date (2027-06-01, valid through that day UTC) or a timestamp with offset (2027-06-01T12:00:00Z)";
}
