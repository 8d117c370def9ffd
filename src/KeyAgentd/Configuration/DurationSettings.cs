using KeyAgentd.Core;
using Microsoft.Extensions.Configuration;

namespace KeyAgentd.Configuration;

/// <summary>
/// Every TimeSpan setting, read by <see cref="Durations"/> instead of the binder (whose TimeSpan
/// conversion reads "60" as sixty days), each with the range it makes sense in. The poll interval and
/// jitter bound a wait (at most 2 days together, far inside what a .NET timer takes: about 24.8 days);
/// the timeout is one registry attempt's.
/// </summary>
internal static class DurationSettings
{
    private sealed record Setting(string Key, TimeSpan Min, TimeSpan Max, Action<KeyAgentdSettings, TimeSpan> Set);

    private static readonly Setting[] All =
    [
        new("Registry:PollInterval", TimeSpan.FromSeconds(1), TimeSpan.FromDays(1), (s, v) => s.Registry.PollInterval = v),
        new("Registry:Jitter", TimeSpan.Zero, TimeSpan.FromDays(1), (s, v) => s.Registry.Jitter = v),
        new("Registry:Timeout", TimeSpan.FromSeconds(1), TimeSpan.FromHours(1), (s, v) => s.Registry.Timeout = v),
        new("Registry:MaxValidity", TimeSpan.FromSeconds(1), TimeSpan.FromDays(3650), (s, v) => s.Registry.MaxValidity = v),
        new("Registry:ClockSkew", TimeSpan.Zero, TimeSpan.FromDays(1), (s, v) => s.Registry.ClockSkew = v),
    ];

    public static IEnumerable<string> Keys => All.Select(s => s.Key);

    /// <summary>Reads each duration key that is set; throws a <see cref="SettingsException"/> naming the key for the first bad one.</summary>
    public static void Apply(IConfiguration configuration, KeyAgentdSettings settings)
    {
        foreach (var setting in All)
        {
            if (configuration[setting.Key] is not { } text)
            {
                continue;
            }
            string shown = SafeText.Escape(text, 40);
            if (!Durations.TryParse(text, out var value))
            {
                throw SettingsException.ForKey(setting.Key, $"{setting.Key} = \"{shown}\" is not a duration: write {Durations.AcceptedForms}");
            }
            if (value < setting.Min || value > setting.Max)
            {
                throw SettingsException.ForKey(setting.Key,
                    $"{setting.Key} = \"{shown}\" ({Durations.Format(value)}) is out of range: it must be from {Durations.Format(setting.Min)} to {Durations.Format(setting.Max)}");
            }
            setting.Set(settings, value);
        }
    }
}
