using System.CommandLine.Parsing;
using System.Globalization;

namespace KeyAgentd.Configuration;

/// <summary>
/// The one reading of a duration, for configuration keys, environment variables and command-line
/// options alike: a bare number is seconds (60), a number with a unit (90s, 5m, 1h, 2d), or a
/// TimeSpan with all three fields (hh:mm:ss, d.hh:mm:ss). Nothing else: TimeSpan alone reads "60"
/// as sixty days and "01:00" as an hour, and an operator who wrote either meant something else.
/// </summary>
public static class Durations
{
    /// <summary>What an error message offers instead of a value that is none of these.</summary>
    public const string AcceptedForms = "a number of seconds (60), a number with a unit s, m, h or d (90s, 5m, 1h, 2d), or hh:mm:ss / d.hh:mm:ss (00:01:00)";

    /// <summary>Far beyond any setting's range, but no overflow: 100 years.</summary>
    private const long MaxSeconds = 100L * 365 * 24 * 3600;

    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = default;
        string trimmed = text?.Trim() ?? "";
        if (trimmed.Length == 0 || trimmed.Length > 32)
        {
            return false;
        }
        if (trimmed.Count(c => c == ':') == 2)
        {
            // The constant ("c") format: [d.]hh:mm:ss[.fffffff], the form .NET itself writes.
            return TimeSpan.TryParseExact(trimmed, "c", CultureInfo.InvariantCulture, out value) && value >= TimeSpan.Zero;
        }
        long unit = trimmed[^1] switch { 's' => 1, 'm' => 60, 'h' => 3600, 'd' => 86400, _ => 0 };
        var digits = unit == 0 ? trimmed.AsSpan() : trimmed.AsSpan(0, trimmed.Length - 1);
        if (digits.Length is 0 or > 12 || !long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out long n))
        {
            return false;
        }
        long seconds = n * Math.Max(unit, 1);
        if (seconds > MaxSeconds)
        {
            return false;
        }
        value = TimeSpan.FromSeconds(seconds);
        return true;
    }

    /// <summary>As configuration writes it back (README, logs): the TimeSpan form, which reads back the same.</summary>
    public static string Format(TimeSpan value) => value.ToString("c", CultureInfo.InvariantCulture);

    /// <summary>For System.CommandLine options that take a positive duration.</summary>
    public static TimeSpan Parse(ArgumentResult result)
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (TryParse(text, out var value) && value > TimeSpan.Zero)
        {
            return value;
        }
        result.AddError($"\"{Core.SafeText.Escape(text, 40)}\" is not a positive duration: write {AcceptedForms}");
        return TimeSpan.Zero;
    }
}
