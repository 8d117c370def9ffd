using System.Globalization;

namespace KeyAgentd.Core.AuthorizedKeys;

/// <summary>
/// sshd's expiry-time values (misc.c parse_absolute_time): YYYYMMDD, YYYYMMDDHHMM or
/// YYYYMMDDHHMMSS, in the host's local time unless followed by 'Z' (UTC).
/// </summary>
public static class ExpiryTimeFormat
{
    public static bool TryParse(string text, TimeZoneInfo localZone, out DateTimeOffset when) =>
        TryParse(text.AsSpan(), localZone, out when);

    public static bool TryParse(ReadOnlySpan<char> text, TimeZoneInfo localZone, out DateTimeOffset when)
    {
        when = default;
        bool utc = text.EndsWith('Z');
        ReadOnlySpan<char> digits = utc ? text[..^1] : text;
        if (digits.Length is not (8 or 12 or 14) || digits.ContainsAnyExceptInRange('0', '9'))
        {
            return false;
        }
        // Read by hand rather than with DateTime.TryParseExact: this runs in keyagentd-keys on every
        // login, where culture and format initialisation would cost more than all the rest.
        int year = Number(digits, 0, 4), month = Number(digits, 4, 2), day = Number(digits, 6, 2);
        int hour = digits.Length >= 12 ? Number(digits, 8, 2) : 0;
        int minute = digits.Length >= 12 ? Number(digits, 10, 2) : 0;
        int second = digits.Length == 14 ? Number(digits, 12, 2) : 0;
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }
        var parsed = new DateTime(year, month, day, hour, minute, second, utc ? DateTimeKind.Utc : DateTimeKind.Unspecified);
        when = utc ? new DateTimeOffset(parsed) : new DateTimeOffset(parsed, localZone.GetUtcOffset(parsed));
        return true;
    }

    private static int Number(ReadOnlySpan<char> digits, int start, int length)
    {
        int value = 0;
        foreach (char c in digits.Slice(start, length))
        {
            value = value * 10 + (c - '0');
        }
        return value;
    }

    /// <summary>Always written in UTC with seconds, so the value means the same on every host.</summary>
    public static string Format(DateTimeOffset when) =>
        when.UtcDateTime.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture) + "Z";
}
