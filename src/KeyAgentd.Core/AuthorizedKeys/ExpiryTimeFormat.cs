using System.Globalization;

namespace KeyAgentd.Core.AuthorizedKeys;

/// <summary>
/// sshd's expiry-time values (misc.c parse_absolute_time): YYYYMMDD, YYYYMMDDHHMM or
/// YYYYMMDDHHMMSS, in the host's local time unless followed by 'Z' (UTC).
/// </summary>
public static class ExpiryTimeFormat
{
    private static readonly string[] Formats = ["yyyyMMdd", "yyyyMMddHHmm", "yyyyMMddHHmmss"];

    public static bool TryParse(string text, TimeZoneInfo localZone, out DateTimeOffset when)
    {
        when = default;
        bool utc = text.EndsWith('Z');
        string digits = utc ? text[..^1] : text;
        if (digits.Length is not (8 or 12 or 14) || !digits.All(char.IsAsciiDigit))
        {
            return false;
        }
        if (!DateTime.TryParseExact(digits, Formats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
        {
            return false;
        }
        if (utc)
        {
            when = new DateTimeOffset(DateTime.SpecifyKind(parsed, DateTimeKind.Utc));
            return true;
        }
        when = new DateTimeOffset(parsed, localZone.GetUtcOffset(parsed));
        return true;
    }

    /// <summary>Always written in UTC with seconds, so the value means the same on every host.</summary>
    public static string Format(DateTimeOffset when) =>
        when.UtcDateTime.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture) + "Z";
}
