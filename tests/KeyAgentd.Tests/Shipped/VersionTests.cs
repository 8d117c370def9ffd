using System.Reflection;
using KeyAgentd.Cli;
using KeyAgentd.Tests.Support;

namespace KeyAgentd.Tests.Shipped;

/// <summary>
/// One version, from the VERSION file: `keyagentd --version` prints it (the Debian package is
/// VERSION-1), so an operator can tell which release a host runs from the host itself.
/// </summary>
public sealed class VersionTests
{
    private static readonly string Version = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "VERSION")).Trim();

    [Fact]
    public void Keyagentd_version_prints_the_version_file()
    {
        foreach (var (cli, prefix) in BuiltCli.All())
        {
            var result = ProcessRunner.Run(cli, [.. prefix, "--version"]);
            Assert.True(result.ExitCode == 0, cli + ": " + result.Stderr);
            Assert.Equal(Version, result.Stdout.Trim());
        }
    }

    [Fact]
    public void The_assembly_carries_the_version_file_as_its_informational_version()
    {
        Assert.Equal(Version, typeof(KeyAgentdCli).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion);
    }
}
