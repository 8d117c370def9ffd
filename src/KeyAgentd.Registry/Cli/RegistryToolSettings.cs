using KeyAgentd.Configuration;
using KeyAgentd.Core;
using KeyAgentd.RegistrySource.KeysUrl;
using Microsoft.Extensions.Configuration;

namespace KeyAgentd.Cli;

/// <summary>
/// What keyagentd-registry is configured with: the Policy section every key is judged under (the
/// hosts' own, so a key the build accepts is one they accept) and the Safety section whose
/// MaxRemovalPercent is the default of --max-removal-percent, and Registry:Timeout and Registry:MaxBytes,
/// which bound each .keys URL fetch as they bound a host's fetch. Read from --policy, a JSON file in
/// keyagentd.json's shape (a host's file can be given as is: its other sections and keys are ignored).
/// </summary>
internal sealed class RegistryToolSettings
{
    /// <summary>A policy file larger than this is a mistake, as for keyagentd's configuration file.</summary>
    public const int MaxBytes = 1 << 20;

    public PolicySettings Policy { get; } = new();

    public SafetySettings Safety { get; } = new();

    /// <summary>Registry:Timeout, per attempt of a .keys URL fetch.</summary>
    public TimeSpan KeysUrlTimeout { get; private set; } = KeysUrlClient.DefaultTimeout;

    /// <summary>Registry:MaxBytes, the largest .keys answer.</summary>
    public long KeysUrlMaxBytes { get; private set; } = KeysUrlClient.DefaultMaxBytes;

    /// <summary>The built-in defaults when <paramref name="path"/> is null.</summary>
    /// <exception cref="SettingsException">The file is missing, too large, not JSON, or holds a value of the wrong type.</exception>
    public static RegistryToolSettings Load(string? path)
    {
        var settings = new RegistryToolSettings();
        if (path is null)
        {
            return settings;
        }
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                throw new SettingsException($"policy file {path} does not exist");
            }
            if (info.Length > MaxBytes)
            {
                throw new SettingsException($"policy file {path} is larger than {MaxBytes} bytes");
            }
            var configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(File.ReadAllBytes(path))).Build();
            configuration.GetSection("Policy").Bind(settings.Policy);
            configuration.GetSection("Safety").Bind(settings.Safety);
            if (configuration["Registry:Timeout"] is { } timeout)
            {
                settings.KeysUrlTimeout = Durations.TryParse(timeout, out var value) && value > TimeSpan.Zero
                    ? value
                    : throw new SettingsException($"policy file {path}: Registry:Timeout = \"{SafeText.Escape(timeout, 100)}\" is not {Durations.AcceptedForms}");
            }
            if (configuration["Registry:MaxBytes"] is { } maxBytes)
            {
                settings.KeysUrlMaxBytes = long.TryParse(maxBytes, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long bytes) && bytes > 0
                    ? bytes
                    : throw new SettingsException($"policy file {path}: Registry:MaxBytes = \"{SafeText.Escape(maxBytes, 100)}\" is not a positive number of bytes");
            }
            return settings;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or FormatException or InvalidOperationException or System.Text.Json.JsonException)
        {
            throw new SettingsException($"policy file {path}: {SafeText.Escape(e.InnerException?.Message ?? e.Message, 300)}", e);
        }
    }
}
