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
    /// <param name="check">More checks of the bound settings (what `run` needs), whose errors are located the same way.</param>
    /// <exception cref="SettingsException">
    /// Unusable configuration; an error about one key's value starts with where that value was written:
    /// path:line:column in the file, or the environment variable, or the command line.
    /// </exception>
    public static KeyAgentdSettings Load(string? configPath, IReadOnlyDictionary<string, string?> overrides, Action<KeyAgentdSettings>? check = null)
    {
        var sources = Read(configPath, overrides);
        try
        {
            var settings = Bind(sources.Configuration);
            check?.Invoke(settings);
            return settings;
        }
        catch (SettingsException e) when (e.Key is { } key)
        {
            throw new SettingsException($"{sources.Where(key)}: {e.Message}", e);
        }
    }

    /// <summary>The configuration file decides what root trusts: a file larger than this is a mistake.</summary>
    public const int MaxConfigBytes = 1 << 20;

    public static IConfigurationRoot BuildConfiguration(string? configPath, IReadOnlyDictionary<string, string?> overrides) =>
        Read(configPath, overrides).Configuration;

    private static Sources Read(string? configPath, IReadOnlyDictionary<string, string?> overrides)
    {
        string path = configPath ?? KeyAgentdSettings.DefaultConfigPath;
        bool exists = Exists(path);
        if (configPath is not null && !exists)
        {
            throw new SettingsException($"config file {path} does not exist");
        }
        var builder = new ConfigurationBuilder();
        ConfigFilePositions? positions = null;
        if (exists)
        {
            byte[] bytes = ReadConfigFile(path);
            // Syntax first, with line and column; the provider then parses what is known to be valid JSON.
            positions = ConfigFilePositions.Read(path, bytes);
            builder.AddJsonStream(new MemoryStream(bytes));
        }
        try
        {
            var configuration = builder
                .AddEnvironmentVariables(EnvironmentPrefix)
                .AddInMemoryCollection(overrides.Where(o => o.Value is not null))
                .Build();
            return new Sources(configuration, path, exists, positions);
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or System.Text.Json.JsonException)
        {
            // A broken file is unusable configuration like any other (exit 2 with the reason), not a crash.
            throw new SettingsException($"config file {path}: {SafeText.Escape(e.InnerException?.Message ?? e.Message, 300)}", e);
        }
    }

    /// <summary>The layers of one load, to say where a key's value came from (the last layer that sets it wins).</summary>
    private sealed record Sources(IConfigurationRoot Configuration, string Path, bool FileExists, ConfigFilePositions? Positions)
    {
        public string Where(string key)
        {
            foreach (var provider in Configuration.Providers.Reverse())
            {
                if (!provider.TryGet(key, out _))
                {
                    continue;
                }
                return provider switch
                {
                    Microsoft.Extensions.Configuration.EnvironmentVariables.EnvironmentVariablesConfigurationProvider =>
                        $"environment {EnvironmentPrefix}{key.Replace(":", "__", StringComparison.Ordinal)}",
                    Microsoft.Extensions.Configuration.Memory.MemoryConfigurationProvider => "command line",
                    _ => Positions?.Find(key) is { } at ? $"{Path}:{at.Line}:{at.Column}" : Path,
                };
            }
            return FileExists ? Path : $"{Path} (absent)";
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
            // Accounts:Mode and the durations are hidden from the binder (a null layer on top): its
            // enum conversion cannot read "managed-block", its TimeSpan conversion reads "60" as sixty
            // days. OwnershipModes and Durations parse them below, once.
            var hidden = new ConfigurationBuilder()
                .AddConfiguration(configuration, shouldDisposeConfiguration: false)
                .AddInMemoryCollection(DurationSettings.Keys.Prepend(ModeKey).Select(k => new KeyValuePair<string, string?>(k, null)))
                .Build();
            hidden.Bind(settings, o => o.ErrorOnUnknownConfiguration = false);
        }
        catch (InvalidOperationException e)
        {
            throw BindError(configuration, e);
        }
        settings.Accounts.Mode = ParseMode(configuration[ModeKey]);
        DurationSettings.Apply(configuration, settings);
        Validate(settings);
        return settings;
    }

    private const string ModeKey = "Accounts:Mode";

    /// <summary>
    /// The binder says "Failed to convert configuration value at 'Policy:MinRsaBits' to type
    /// 'System.Int32'": its exception carries the key only in that text, so it is taken from there to
    /// point at the value; anything else keeps the binder's own words.
    /// </summary>
    private static SettingsException BindError(IConfiguration configuration, InvalidOperationException e)
    {
        var match = System.Text.RegularExpressions.Regex.Match(e.Message, "at '([^']+)' to type '([^']+)'");
        if (!match.Success)
        {
            return new SettingsException($"invalid configuration: {SafeText.Escape(e.Message, 300)}", e);
        }
        string key = match.Groups[1].Value;
        string expected = match.Groups[2].Value switch
        {
            "System.Int32" or "System.Int64" => "a whole number",
            "System.Double" => "a number",
            "System.Boolean" => "true or false",
            var type => type,
        };
        return new SettingsException($"{key} = \"{SafeText.Escape(configuration[key] ?? "", 40)}\" is not {expected}: write {expected}", e, key);
    }

    private static OwnershipMode ParseMode(string? text) =>
        text is null ? OwnershipMode.Exclusive
        : OwnershipModes.TryParse(text, out var mode) ? mode
        : throw SettingsException.ForKey(ModeKey, $"{ModeKey} = \"{SafeText.Escape(text, 40)}\" is not a mode: write exclusive, managed-block or report");

    private static void Validate(KeyAgentdSettings settings)
    {
        if (settings.Policy.MinRsaBits is < 1024 or > 16384)
        {
            throw SettingsException.ForKey("Policy:MinRsaBits", $"Policy:MinRsaBits = {settings.Policy.MinRsaBits} is out of range: it must be from 1024 to 16384");
        }
        if (settings.Safety.MaxRemovalPercent is < 0 or > 100)
        {
            throw SettingsException.ForKey("Safety:MaxRemovalPercent", $"Safety:MaxRemovalPercent = {settings.Safety.MaxRemovalPercent} is out of range: it must be from 0 to 100");
        }
        if (settings.Registry.MaxBytes <= 0)
        {
            throw SettingsException.ForKey("Registry:MaxBytes", $"Registry:MaxBytes = {settings.Registry.MaxBytes} must be a positive number of bytes (default 8388608)");
        }
        ValidateSignatures(settings.Registry);
        BreakGlassSettings.Validate(settings.Accounts);
        foreach (var (key, path) in new[] { ("Sshd:TrustedUserCAKeysFile", settings.Sshd.TrustedUserCAKeysFile), ("Sshd:AuthorizedPrincipalsDirectory", settings.Sshd.AuthorizedPrincipalsDirectory) })
        {
            // sshd reads these by absolute path; a relative one would follow the daemon's working directory.
            if (path is not null && !Path.IsPathFullyQualified(path))
            {
                throw SettingsException.ForKey(key, $"{key} = \"{SafeText.Escape(path, 120)}\" must be an absolute path");
            }
        }
    }

    private static void ValidateSignatures(RegistrySettings registry)
    {
        // Case-insensitive like Accounts:Mode: the value often comes from an environment variable typed by hand.
        string? signatures = registry.Signatures?.Trim().ToLowerInvariant();
        if (signatures is not (null or "enforce" or "report" or "off"))
        {
            throw SettingsException.ForKey("Registry:Signatures", $"Registry:Signatures = \"{SafeText.Escape(registry.Signatures!, 40)}\" is not a mode: write enforce, report or off");
        }
        registry.Signatures = signatures;
        if (registry.SignatureThreshold is < 1 or > 16)
        {
            throw SettingsException.ForKey("Registry:SignatureThreshold", $"Registry:SignatureThreshold = {registry.SignatureThreshold} is out of range: it must be from 1 to 16");
        }
    }
}
