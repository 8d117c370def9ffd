using KeyAgentd.Cli;
using KeyAgentd.Tests.Support;

namespace KeyAgentd.Tests.Cli;

/// <summary>
/// For one release, `keyagentd registry build|validate|diff|sign` (the spelling before the registry side
/// became its own program) answers with one line naming the command to run instead, and exit 2.
/// </summary>
public sealed class MovedRegistryCommandTests
{
    [Theory]
    [InlineData("build", new[] { "src", "--out", "out", "--sign-key", "k" }, "keyagentd-registry build src --out out --sign-key k")]
    [InlineData("validate", new[] { "src", "--format", "json" }, "keyagentd-registry validate src --format json")]
    [InlineData("diff", new[] { "old", "new" }, "keyagentd-registry diff old new")]
    [InlineData("sign", new[] { "out", "--key", "k" }, "keyagentd-registry sign out --key k")]
    [InlineData("build", new string[0], "keyagentd-registry build …")]
    public void The_old_spelling_names_the_new_command_and_exits_2(string command, string[] arguments, string instead)
    {
        foreach (var (cli, prefix) in BuiltCli.All())
        {
            var result = ProcessRunner.Run(cli, [.. prefix, "registry", command, .. arguments]);
            Assert.True(result.ExitCode == ExitCodes.Usage, $"{cli}: exit {result.ExitCode}: {result.Stdout}{result.Stderr}");
            Assert.Equal(
                $"keyagentd: 'registry {command}' moved to the keyagentd-registry program (package keyagentd-registry): {instead}",
                Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
            Assert.Equal("", result.Stdout);
        }
    }

    [Fact]
    public void Registry_verify_stays_on_the_host()
    {
        var registry = KeyAgentdCli.Build().Subcommands.Single(c => c.Name == "registry");
        Assert.Equal(["verify"], registry.Subcommands.Where(c => !c.Hidden).Select(c => c.Name));
    }

    [Fact]
    public void Arguments_from_the_caller_are_escaped_in_the_line()
    {
        Assert.DoesNotContain('\e', MovedRegistryCommand.Message("build", ["src\e[31m"]));
    }
}
