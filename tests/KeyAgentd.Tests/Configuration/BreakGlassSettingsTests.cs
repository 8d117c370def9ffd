using KeyAgentd.Configuration;
using Microsoft.Extensions.Configuration;

namespace KeyAgentd.Tests.Configuration;

/// <summary>
/// Accounts:BreakGlass lines are checked when the settings load: one sshd could not use (a
/// placeholder copied from the example, a damaged paste, a private key) is a settings error naming
/// the account, the line and why, not a line silently left out at every sync.
/// </summary>
public sealed class BreakGlassSettingsTests
{
    private static readonly string PackagedExample = Path.Combine(RepositoryRoot.Path, "packaging", "deb", "keyagentd.json.example");

    private static KeyAgentdSettings Bind(params (string Key, string Value)[] values) =>
        SettingsLoader.Bind(new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build());

    private static KeyAgentdSettings BindJson(string json)
    {
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json));
        return SettingsLoader.Bind(new ConfigurationBuilder().AddJsonStream(stream).Build());
    }

    [Fact]
    public void The_packaged_example_is_refused_until_its_break_glass_placeholder_is_replaced()
    {
        var e = Assert.Throws<SettingsException>(() => BindJson(File.ReadAllText(PackagedExample)));
        Assert.Contains("Accounts:BreakGlass:root line 1", e.Message, StringComparison.Ordinal);
        Assert.Contains(".pub", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void With_a_real_key_in_place_of_the_placeholder_the_packaged_example_loads()
    {
        string key = SshKeygen.Generate("ed25519", comment: "console-breakglass");
        string text = File.ReadAllText(PackagedExample);
        string placeholder = System.Text.Json.JsonDocument.Parse(text).RootElement.GetProperty("Accounts").GetProperty("BreakGlass").GetProperty("root")[0].GetString()!;

        var settings = BindJson(text.Replace(placeholder, key, StringComparison.Ordinal));

        Assert.Equal([key], settings.Accounts.BreakGlass["root"]);
    }

    [Theory]
    [InlineData("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI… admin", "bad-base64")]
    [InlineData("REPLACE-ME", "malformed-options")]
    [InlineData("from=10.0.0.1 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI", "malformed-options")]
    [InlineData("-----BEGIN OPENSSH PRIVATE KEY-----", "private-key")]
    public void A_break_glass_line_sshd_could_not_use_is_a_settings_error_naming_the_reason(string line, string code)
    {
        var e = Assert.Throws<SettingsException>(() => Bind(("Accounts:BreakGlass:admin:0", SshKeygen.Generate("ed25519")), ("Accounts:BreakGlass:admin:1", line)));
        Assert.Contains("Accounts:BreakGlass:admin line 2", e.Message, StringComparison.Ordinal);
        Assert.Contains(code, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Keys_and_comments_load()
    {
        string key = "from=\"192.0.2.1\" " + SshKeygen.Generate("ed25519");
        var settings = Bind(("Accounts:BreakGlass:root:0", "# the console key, kept in the safe"), ("Accounts:BreakGlass:root:1", key));
        Assert.Equal(["# the console key, kept in the safe", key], settings.Accounts.BreakGlass["root"]);
    }

    [Fact]
    public void The_error_escapes_what_it_quotes()
    {
        var e = Assert.Throws<SettingsException>(() => Bind(("Accounts:BreakGlass:r\u001b[2Joot:0", "ssh-ed25519 \u001b[2J")));
        Assert.DoesNotContain('\u001b', e.Message);
    }
}
