using KeyAgentd.Configuration;
using KeyAgentd.Core.Planning;
using Microsoft.Extensions.Configuration;

namespace KeyAgentd.Tests.Configuration;

/// <summary>What a reload says it changed: effective values, key by key, no secrets.</summary>
public sealed class SettingsChangesTests
{
    [Fact]
    public void Lists_each_changed_key_with_old_and_new_effective_values_in_key_order()
    {
        var before = new KeyAgentdSettings { Registry = { Url = "file:///a.json" } };
        var after = new KeyAgentdSettings
        {
            Registry = { Url = "file:///b.json", PollInterval = TimeSpan.FromSeconds(30) },
            Accounts = { Mode = OwnershipMode.Report, Include = ["deploy"] },
            Delivery = { AuthorizedKeysFiles = false },
        };

        Assert.Equal(
        [
            "Accounts:Include:0 (unset) → deploy",
            "Accounts:Mode exclusive → report",
            "Delivery:AuthorizedKeysFiles true → false",
            "Registry:PollInterval 00:01:00 → 00:00:30",
            "Registry:Url file:///a.json → file:///b.json",
        ], SettingsChanges.Between(before, after));
        Assert.Empty(SettingsChanges.Between(after, after));
    }

    [Fact]
    public void A_password_in_a_url_never_reaches_the_log()
    {
        var before = new KeyAgentdSettings { Registry = { Url = "https://reader:s3cret@keys.example.com/a.json" } };
        var after = new KeyAgentdSettings { Registry = { Url = "https://reader:n3w@keys.example.com/a.json" } };

        string change = Assert.Single(SettingsChanges.Between(before, after));

        Assert.Equal("Registry:Url https://***@keys.example.com/a.json → https://***@keys.example.com/a.json", change);
    }

    [Fact]
    public void Every_timespan_setting_reads_a_bare_number_as_seconds()
    {
        // Found by reflection, so a TimeSpan setting added later cannot bypass the duration parser.
        var keys = new List<string>();
        foreach (var section in typeof(KeyAgentdSettings).GetProperties())
        {
            keys.AddRange(section.PropertyType.GetProperties().Where(p => p.PropertyType == typeof(TimeSpan)).Select(p => $"{section.Name}:{p.Name}"));
        }
        Assert.NotEmpty(keys);

        var settings = SettingsLoader.Bind(new ConfigurationBuilder()
            .AddInMemoryCollection(keys.Select(k => new KeyValuePair<string, string?>(k, "60"))).Build());

        var flat = SettingsChanges.Flatten(settings);
        Assert.All(keys, k => Assert.Equal("00:01:00", flat[k]));
    }
}
