using KeyAgentd.Configuration;
using KeyAgentd.Core.Planning;
using KeyAgentd.Tests.Support;
using Microsoft.Extensions.Configuration;

namespace KeyAgentd.Tests.Configuration;

/// <summary>Settings from file, environment and command line: precedence, defaults, and every bad value an error at load.</summary>
[Collection(SettingsEnvironment.Name)]
public sealed class SettingsLoaderTests : IDisposable
{
    private static readonly Dictionary<string, string?> NoOverrides = [];

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Config(string json)
    {
        string path = _temp.File("keyagentd.json");
        File.WriteAllText(path, json);
        return path;
    }

    private static KeyAgentdSettings Bind(params (string Key, string Value)[] values) =>
        SettingsLoader.Bind(new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build());

    [Fact]
    public void Nothing_configured_gives_the_documented_defaults()
    {
        var settings = Bind();

        Assert.Null(settings.Registry.Url);
        Assert.Equal(TimeSpan.FromMinutes(1), settings.Registry.PollInterval);
        Assert.Equal(TimeSpan.FromSeconds(15), settings.Registry.Jitter);
        Assert.Equal(2048, settings.Policy.MinRsaBits);
        Assert.Equal(OwnershipMode.Exclusive, settings.Accounts.Mode);
        Assert.True(settings.Delivery.AuthorizedKeysFiles);
        Assert.Equal(50, settings.Safety.MaxRemovalPercent);
        Assert.Equal("/var/lib/keyagentd", settings.State.Directory);
        Assert.Equal("/var/log/keyagentd/audit.jsonl", settings.Audit.Path);
    }

    [Fact]
    public void The_file_is_bound_and_configured_lists_replace_the_defaults()
    {
        string breakGlass = SshKeygen.Generate("ed25519", comment: "x");
        string path = Config($$"""
            {
              "Registry": { "Url": "https://keys.example.com/{hostname}.json", "PollInterval": "00:05:00", "MaxBytes": 1024 },
              "Policy": { "MinRsaBits": 3072, "AllowedKeyTypes": [ "ssh-ed25519" ] },
              "Accounts": { "Mode": "managed-block", "Include": [ "deploy" ], "BreakGlass": { "root": [ "{{breakGlass}}" ] } },
              "Delivery": { "AuthorizedKeysFiles": false },
              "SomethingNew": { "Ignored": true }
            }
            """);

        var settings = SettingsLoader.Load(path, NoOverrides);

        Assert.Equal("https://keys.example.com/{hostname}.json", settings.Registry.Url);
        Assert.Equal(TimeSpan.FromMinutes(5), settings.Registry.PollInterval);
        Assert.Equal(1024, settings.Registry.MaxBytes);
        Assert.Equal(3072, settings.Policy.MinRsaBits);
        Assert.Equal(["ssh-ed25519"], settings.Policy.ToPolicyOptions().AllowedKeyTypes);
        Assert.Equal(OwnershipMode.ManagedBlock, settings.Accounts.Mode);
        Assert.Equal(["deploy"], settings.Accounts.Include);
        Assert.Equal([breakGlass], settings.Accounts.BreakGlass["root"]);
        Assert.False(settings.Delivery.AuthorizedKeysFiles);
    }

    [Fact]
    public void Environment_overrides_the_file_and_the_command_line_overrides_both()
    {
        string path = Config("""{ "Safety": { "MaxRemovalPercent": 10 }, "State": { "Directory": "/from/file" }, "Audit": { "Path": "/from/file.jsonl" } }""");
        using var environment = new SettingsEnvironment(("Safety__MaxRemovalPercent", "20"), ("State__Directory", "/from/environment"));

        var settings = SettingsLoader.Load(path, new Dictionary<string, string?>
        {
            ["State:Directory"] = "/from/command-line",
            ["Audit:Path"] = null,
        });

        Assert.Equal(20, settings.Safety.MaxRemovalPercent);
        Assert.Equal("/from/command-line", settings.State.Directory);
        // A command-line option not given (null) leaves the lower layers alone.
        Assert.Equal("/from/file.jsonl", settings.Audit.Path);
    }

    [Theory]
    [InlineData("exclusive", OwnershipMode.Exclusive)]
    [InlineData("managed-block", OwnershipMode.ManagedBlock)]
    [InlineData(" Report ", OwnershipMode.Report)]
    public void Accounts_mode_is_parsed_once_at_load_by_the_one_parser(string text, OwnershipMode expected) =>
        Assert.Equal(expected, Bind(("Accounts:Mode", text)).Accounts.Mode);

    [Fact]
    public void A_bad_accounts_mode_is_a_settings_error_at_load_with_the_value_escaped()
    {
        var e = Assert.Throws<SettingsException>(() => Bind(("Accounts:Mode", "managed_block\u001b[2J")));
        Assert.Contains("Accounts:Mode", e.Message, StringComparison.Ordinal);
        Assert.Contains("managed_block\\x1b[2J", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', e.Message);
    }

    [Theory]
    [InlineData("Policy:MinRsaBits", "512", "Policy:MinRsaBits")]
    [InlineData("Policy:MinRsaBits", "lots", "Policy:MinRsaBits")]
    [InlineData("Safety:MaxRemovalPercent", "101", "Safety:MaxRemovalPercent")]
    [InlineData("Registry:PollInterval", "00:00:00", "Registry:PollInterval")]
    [InlineData("Registry:PollInterval", "0", "Registry:PollInterval")]
    [InlineData("Registry:Timeout", "0s", "Registry:Timeout")]
    [InlineData("Registry:Jitter", "-00:00:01", "Registry:Jitter")]
    [InlineData("Registry:MaxValidity", "0", "Registry:MaxValidity")]
    [InlineData("Registry:ClockSkew", "soon", "Registry:ClockSkew")]
    [InlineData("Registry:MaxBytes", "0", "Registry:MaxBytes")]
    public void Unusable_values_are_settings_errors_naming_the_setting(string key, string value, string named)
    {
        var e = Assert.Throws<SettingsException>(() => Bind((key, value)));
        Assert.Contains(named, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_explicit_config_file_that_does_not_exist_is_a_settings_error()
    {
        string path = _temp.File("nowhere.json");
        var e = Assert.Throws<SettingsException>(() => SettingsLoader.Load(path, NoOverrides));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_config_file_that_is_not_json_is_a_settings_error_not_a_crash()
    {
        string path = Config("{ \"Registry\": { \"Url\": ");
        var e = Assert.Throws<SettingsException>(() => SettingsLoader.Load(path, NoOverrides));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bare_number_is_seconds_in_the_file_and_in_the_environment()
    {
        string path = Config("""{ "Registry": { "PollInterval": "60", "Timeout": 30, "MaxValidity": "7d", "ClockSkew": "00:02:00" } }""");
        using var environment = new SettingsEnvironment(("Registry__Jitter", "5"));

        var registry = SettingsLoader.Load(path, NoOverrides).Registry;

        Assert.Equal(TimeSpan.FromSeconds(60), registry.PollInterval);
        Assert.Equal(TimeSpan.FromSeconds(30), registry.Timeout);
        Assert.Equal(TimeSpan.FromSeconds(5), registry.Jitter);
        Assert.Equal(TimeSpan.FromDays(7), registry.MaxValidity);
        Assert.Equal(TimeSpan.FromMinutes(2), registry.ClockSkew);
    }

    [Theory]
    [InlineData("30.00:00:00")]
    [InlineData("25d")]
    [InlineData("90000")]
    public void A_poll_interval_longer_than_a_day_is_refused_at_load_with_its_range(string value)
    {
        string path = Config($$"""
            {
              "Registry": { "PollInterval": "{{value}}" }
            }
            """);

        var e = Assert.Throws<SettingsException>(() => SettingsLoader.Load(path, NoOverrides));

        Assert.StartsWith($"{path}:2:33: Registry:PollInterval = \"{value}\"", e.Message, StringComparison.Ordinal);
        Assert.Contains("from 00:00:01 to 1.00:00:00", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_value_that_is_no_duration_names_file_line_column_key_value_and_the_accepted_forms()
    {
        string path = Config("""
            {
              "Registry": {
                "Url": "file:///srv/registry.json",
                "PollInterval": "60x"
              }
            }
            """);

        var e = Assert.Throws<SettingsException>(() => SettingsLoader.Load(path, NoOverrides));

        Assert.Equal($"{path}:4:21: Registry:PollInterval = \"60x\" is not a duration: write " +
            "a number of seconds (60), a number with a unit s, m, h or d (90s, 5m, 1h, 2d), or hh:mm:ss / d.hh:mm:ss (00:01:00)", e.Message);
    }

    [Fact]
    public void A_bad_value_from_the_environment_names_the_variable()
    {
        string path = Config("""{ "Registry": { "PollInterval": "60" } }""");
        using var environment = new SettingsEnvironment(("Registry__PollInterval", "1 minute"));

        var e = Assert.Throws<SettingsException>(() => SettingsLoader.Load(path, NoOverrides));

        Assert.StartsWith("environment KEYAGENTD_Registry__PollInterval: Registry:PollInterval = \"1 minute\" is not a duration", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Policy", "MinRsaBits", "512", "from 1024 to 16384")]
    [InlineData("Policy", "MinRsaBits", "\"lots\"", "is not a whole number")]
    [InlineData("Accounts", "Mode", "\"managed_block\"", "write exclusive, managed-block or report")]
    [InlineData("Delivery", "AuthorizedKeysFiles", "\"no\"", "is not true or false")]
    public void Every_bad_value_names_where_it_is_written_and_the_fix(string section, string key, string json, string fix)
    {
        string path = Config($$"""
            {
              "{{section}}": { "{{key}}": {{json}} }
            }
            """);

        var e = Assert.Throws<SettingsException>(() => SettingsLoader.Load(path, NoOverrides));

        Assert.StartsWith($"{path}:2:{section.Length + key.Length + 13}: {section}:{key} = ", e.Message, StringComparison.Ordinal);
        Assert.Contains(fix, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_json_syntax_error_names_its_line_and_column()
    {
        string path = Config("""
            {
              "Registry": { "Url": "file:///srv/registry.json" }
              "Delivery": { "AuthorizedKeysFiles": false }
            }
            """);

        var e = Assert.Throws<SettingsException>(() => SettingsLoader.Load(path, NoOverrides));

        Assert.StartsWith($"{path}:3:3: not valid JSON: ", e.Message, StringComparison.Ordinal);
        Assert.Contains("a missing comma", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("LineNumber", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_written_twice_is_refused_at_its_second_place()
    {
        string path = Config("""
            { "Registry": { "Url": "file:///a.json",
                            "url": "file:///b.json" } }
            """);

        var e = Assert.Throws<SettingsException>(() => SettingsLoader.Load(path, NoOverrides));

        Assert.StartsWith($"{path}:2:24: Registry:url is set twice (first at line 1)", e.Message, StringComparison.Ordinal);
    }
}
