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

    public static IConfigurationRoot BuildConfiguration(string? configPath, IReadOnlyDictionary<string, string?> overrides)
    {
        string path = configPath ?? KeyAgentdSettings.DefaultConfigPath;
        if (configPath is not null && !File.Exists(path))
        {
            throw new SettingsException($"config file {path} does not exist");
        }
        return new ConfigurationBuilder()
            .AddJsonFile(Path.GetFullPath(path), optional: configPath is null, reloadOnChange: false)
            .AddEnvironmentVariables(EnvironmentPrefix)
            .AddInMemoryCollection(overrides.Where(o => o.Value is not null))
            .Build();
    }

    public static KeyAgentdSettings Bind(IConfiguration configuration)
    {
        var settings = new KeyAgentdSettings();
        try
        {
            configuration.Bind(settings, o => o.ErrorOnUnknownConfiguration = false);
        }
        catch (InvalidOperationException e)
        {
            throw new SettingsException($"invalid configuration: {e.Message}", e);
        }
        Validate(settings);
        return settings;
    }

    private static void Validate(KeyAgentdSettings settings)
    {
        if (settings.Accounts.Mode is not ("exclusive" or "managed-block" or "report"))
        {
            throw new SettingsException($"Accounts:Mode must be exclusive, managed-block or report, not \"{settings.Accounts.Mode}\"");
        }
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
    }

    private static void ValidateSignatures(RegistrySettings registry)
    {
        if (registry.Signatures is not (null or "enforce" or "report" or "off"))
        {
            throw new SettingsException($"Registry:Signatures must be enforce, report or off, not \"{registry.Signatures}\"");
        }
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
