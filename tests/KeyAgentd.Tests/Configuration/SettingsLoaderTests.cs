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
    [InlineData("Policy:MinRsaBits", "lots", "invalid configuration")]
    [InlineData("Safety:MaxRemovalPercent", "101", "Safety:MaxRemovalPercent")]
    [InlineData("Registry:PollInterval", "00:00:00", "Registry:PollInterval")]
    [InlineData("Registry:Jitter", "-00:00:01", "Registry:Jitter")]
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
}
