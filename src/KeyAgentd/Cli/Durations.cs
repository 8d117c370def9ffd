using System.CommandLine.Parsing;
using System.Globalization;

namespace KeyAgentd.Cli;

/// <summary>Durations on the command line: 7d, 36h, 90m, 45s, or a TimeSpan (7.00:00:00).</summary>
internal static class Durations
{
    public static TimeSpan Parse(ArgumentResult result)
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        return TryParse(text, out var value) && value > TimeSpan.Zero ? value : ReportInvalid(result, text);
    }

    private static TimeSpan ReportInvalid(ArgumentResult result, string text)
    {
        result.AddError($"\"{text}\" is not a positive duration (7d, 36h, 90m, 45s)");
        return TimeSpan.Zero;
    }

    public static bool TryParse(string text, out TimeSpan value)
    {
        value = default;
        if (text.Length >= 2 && long.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out long n) && n <= 100_000)
        {
            switch (text[^1])
            {
                case 'd': value = TimeSpan.FromDays(n); return true;
                case 'h': value = TimeSpan.FromHours(n); return true;
                case 'm': value = TimeSpan.FromMinutes(n); return true;
                case 's': value = TimeSpan.FromSeconds(n); return true;
            }
        }
        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out value);
    }
}
