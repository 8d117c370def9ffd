using System.Reflection;
using KeyAgentd.KeysCommand;

namespace KeyAgentd.KeysCommand.Tests;

/// <summary>keyagentd-keys is the same release as keyagentd: its informational version is the VERSION file's.</summary>
public sealed class VersionTests
{
    [Fact]
    public void The_helper_carries_the_version_file_as_its_informational_version()
    {
        string version = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "VERSION")).Trim();
        Assert.Equal(version, typeof(KeysCommandProgram).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion);
    }
}
