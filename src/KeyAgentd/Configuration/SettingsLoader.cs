using KeyAgentd.Core;
using KeyAgentd.Core.Planning;
using KeyAgentd.Storage;
using Microsoft.Extensions.Configuration;

namespace KeyAgentd.Configuration;

/// <summary>Builds <see cref="KeyAgentdSettings"/> from file, environment and command line.</summary>
public static class SettingsLoader
{
    public const string EnvironmentPrefix = "KEYAGENTD_";

    /// <param name="configPath">An explicit --config must exist; the default path may be absent.</param>
    /// <param name="overrides">Command-line values as configuration keys ("Registry:Url" → value).</param>
    public static KeyAgentdSettings Load(string? configPath, IReadOnlyDictionary<string, string?> overrides)
    {
        return Bind(BuildConfiguration(configPath, overrides));
    }

    /// <summary>The configuration file decides what root trusts: a file larger than this is a mistake.</summary>
    public const int MaxConfigBytes = 1 << 20;

    public static IConfigurationRoot BuildConfiguration(string? configPath, IReadOnlyDictionary<string, string?> overrides)
    {
        string path = configPath ?? KeyAgentdSettings.DefaultConfigPath;
        if (configPath is not null && !Exists(path))
        {
            throw new SettingsException($"config file {path} does not exist");
        }
        var builder = new ConfigurationBuilder();
        if (Exists(path))
        {
            builder.AddJsonStream(new MemoryStream(ReadConfigFile(path)));
        }
        try
        {
            return builder
                .AddEnvironmentVariables(EnvironmentPrefix)
                .AddInMemoryCollection(overrides.Where(o => o.Value is not null))
                .Build();
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or System.Text.Json.JsonException)
        {
            // A broken file is unusable configuration like any other (exit 2 with the reason), not a crash.
            throw new SettingsException($"config file {path}: {e.InnerException?.Message ?? e.Message}", e);
        }
    }

    /// <summary>
    /// The file's bytes, read once through the ownership and mode check (sshd's safe_path rule, see
    /// <see cref="TrustedFile"/>): whoever can write the configuration can point Registry:Url anywhere
    /// and turn signatures off, so a file or directory writable by anyone but root (or the user
    /// keyagentd runs as) is refused, and the bytes parsed are the bytes checked.
    /// </summary>
    private static byte[] ReadConfigFile(string path)
    {
        try
        {
            return TrustedFile.Read(path, "config file", MaxConfigBytes, allowEmpty: true);
        }
        catch (IOException e)
        {
            throw new SettingsException(e.Message, e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new SettingsException($"config file {path}: {e.Message}", e);
        }
    }

    /// <summary>Present as any kind of entry (a dangling symlink at the default path is a broken configuration, not an absent one).</summary>
    private static bool Exists(string path) => Mono.Unix.Native.Syscall.lstat(path, out _) == 0;

    public static KeyAgentdSettings Bind(IConfiguration configuration)
    {
        var settings = new KeyAgentdSettings();
        try
        {
            // Accounts:Mode is hidden from the binder (a null layer on top): its enum conversion
            // cannot read "managed-block". OwnershipModes parses it below, once.
            var withoutMode = new ConfigurationBuilder()
                .AddConfiguration(configuration, shouldDisposeConfiguration: false)
                .AddInMemoryCollection([new KeyValuePair<string, string?>(ModeKey, null)])
                .Build();
            withoutMode.Bind(settings, o => o.ErrorOnUnknownConfiguration = false);
        }
        catch (InvalidOperationException e)
        {
            throw new SettingsException($"invalid configuration: {e.Message}", e);
        }
        settings.Accounts.Mode = ParseMode(configuration[ModeKey]);
        Validate(settings);
        return settings;
    }

    private const string ModeKey = "Accounts:Mode";

    private static OwnershipMode ParseMode(string? text) =>
        text is null ? OwnershipMode.Exclusive
        : OwnershipModes.TryParse(text, out var mode) ? mode
        : throw new SettingsException($"{ModeKey} must be exclusive, managed-block or report, not \"{SafeText.Escape(text, 40)}\"");

    private static void Validate(KeyAgentdSettings settings)
    {
        if (settings.Policy.MinRsaBits is < 1024 or > 16384)
        {
            throw new SettingsException("Policy:MinRsaBits must be between 1024 and 16384");
        }
        if (settings.Safety.MaxRemovalPercent is < 0 or > 100)
        {
            throw new SettingsException("Safety:MaxRemovalPercent must be between 0 and 100");
        }
        if (settings.Registry.PollInterval <= TimeSpan.Zero || settings.Registry.Timeout <= TimeSpan.Zero || settings.Registry.Jitter < TimeSpan.Zero)
        {
            throw new SettingsException("Registry:PollInterval and Registry:Timeout must be positive, Registry:Jitter not negative");
        }
        if (settings.Registry.MaxBytes <= 0)
        {
            throw new SettingsException("Registry:MaxBytes must be positive");
        }
        ValidateSignatures(settings.Registry);
        BreakGlassSettings.Validate(settings.Accounts);
    }

    private static void ValidateSignatures(RegistrySettings registry)
    {
        // Case-insensitive like Accounts:Mode: the value often comes from an environment variable typed by hand.
        string? signatures = registry.Signatures?.Trim().ToLowerInvariant();
        if (signatures is not (null or "enforce" or "report" or "off"))
        {
            throw new SettingsException($"Registry:Signatures must be enforce, report or off, not \"{SafeText.Escape(registry.Signatures!, 40)}\"");
        }
        registry.Signatures = signatures;
        if (registry.SignatureThreshold is < 1 or > 16)
        {
            throw new SettingsException("Registry:SignatureThreshold must be between 1 and 16");
        }
        if (registry.MaxValidity <= TimeSpan.Zero || registry.ClockSkew < TimeSpan.Zero)
        {
            throw new SettingsException("Registry:MaxValidity must be positive, Registry:ClockSkew not negative");
        }
    }
}
