using System.CommandLine.Invocation;
using KeyAgentd.Cli;
using KeyAgentd.Tests.RegistrySource;

namespace KeyAgentd.Tests.Cli;

/// <summary>
/// keyagentd-registry takes its key policy from --policy (default: the built-in policy), never from a
/// host's /etc/keyagentd/keyagentd.json, and has none of a host's options.
/// </summary>
public sealed class RegistryToolCliTests
{
    private static Task<int> Run(params string[] arguments) => RegistryToolCli.Build().Parse(arguments).InvokeAsync();

    [Fact]
    public async Task Policy_file_decides_what_validate_accepts()
    {
        using var source = SourceFixture.Standard();
        source.Person("dave@example.com", "# dave", SshKeygen.Generate("rsa", 3072));
        Assert.Equal(ExitCodes.Ok, await Run("validate", source.Root));

        string policy = Path.Combine(source.Scratch, "policy.json");
        File.WriteAllText(policy, "{\"Policy\": {\"MinRsaBits\": 4096}}");
        Assert.Equal(ExitCodes.Failed, await Run("--policy", policy, "validate", source.Root));
        // keyagentd.json's shape: a host's file is read as is, its other sections ignored.
        File.WriteAllText(policy, "{\"Registry\": {\"Url\": \"https://keys.example.com/{hostname}.json\"}, \"Policy\": {\"MinRsaBits\": 3072}}");
        Assert.Equal(ExitCodes.Ok, await Run("--policy", policy, "validate", source.Root));
    }

    [Fact]
    public async Task An_unusable_policy_file_is_exit_2()
    {
        using var source = SourceFixture.Standard();
        string policy = Path.Combine(source.Scratch, "policy.json");
        Assert.Equal(ExitCodes.Usage, await Run("--policy", policy, "validate", source.Root));
        File.WriteAllText(policy, "{\"Policy\": ");
        Assert.Equal(ExitCodes.Usage, await Run("--policy", policy, "validate", source.Root));
        File.WriteAllText(policy, "{\"Policy\": {\"MinRsaBits\": \"many\"}}");
        Assert.Equal(ExitCodes.Usage, await Run("--policy", policy, "validate", source.Root));
        File.WriteAllText(policy, "{\"Registry\": {\"Timeout\": \"60 days\"}}");
        Assert.Equal(ExitCodes.Usage, await Run("--policy", policy, "validate", source.Root));
    }

    [Fact]
    public void Registry_timeout_and_max_bytes_of_the_policy_file_bound_the_keys_url_fetch()
    {
        using var source = SourceFixture.Standard();
        string policy = Path.Combine(source.Scratch, "policy.json");
        File.WriteAllText(policy, "{\"Registry\": {\"Timeout\": \"2s\", \"MaxBytes\": 4096}}");
        var settings = RegistryToolSettings.Load(policy);
        Assert.Equal((TimeSpan.FromSeconds(2), 4096L), (settings.KeysUrlTimeout, settings.KeysUrlMaxBytes));
        Assert.Equal((TimeSpan.FromSeconds(10), 8L << 20), (RegistryToolSettings.Load(null).KeysUrlTimeout, RegistryToolSettings.Load(null).KeysUrlMaxBytes));
    }

    [Theory]
    [InlineData("--config")]
    [InlineData("--registry")]
    [InlineData("--passwd-file")]
    public async Task A_host_option_is_not_one_of_its_options(string option)
    {
        using var source = SourceFixture.Standard();
        Assert.NotEqual(ExitCodes.Ok, await Run(option, "/etc/keyagentd/keyagentd.json", "validate", source.Root));
    }

    [Fact]
    public void It_has_the_registry_side_commands_and_not_the_hosts()
    {
        Assert.Equal(["validate", "build", "diff", "sign", "root"], RegistryToolCli.Build().Subcommands.Select(c => c.Name));
        Assert.Equal(["init", "propose", "sign", "verify", "publish"], RegistryToolCli.Build().Subcommands.Single(c => c.Name == "root").Subcommands.Select(c => c.Name));
    }

    /// <summary>The commands that read a source (.keys URLs, LDAP) await it: none blocks a thread on async code.</summary>
    [Theory]
    [InlineData("validate")]
    [InlineData("build")]
    [InlineData("sign")]
    public void A_command_that_reads_a_source_is_an_async_action(string name)
    {
        var command = RegistryToolCli.Build().Subcommands.Single(c => c.Name == name);
        Assert.IsAssignableFrom<AsynchronousCommandLineAction>(command.Action);
    }
}
