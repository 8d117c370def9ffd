namespace KeyAgentd.Trust.Tests;

/// <summary>
/// keyagentd-keys runs on every login: it must not load the signature code or its library. The lock
/// files list every package a project restores, direct or transitive, so they are the proof.
/// </summary>
public class LoginHelperIsolationTests
{
    [Theory]
    [InlineData("src/KeyAgentd.KeysCommand")]
    [InlineData("src/KeyAgentd.Core")]
    public void Login_helper_and_core_do_not_depend_on_trust(string project)
    {
        string directory = Path.Combine(RepositoryRoot(), project);
        string csproj = File.ReadAllText(Directory.GetFiles(directory, "*.csproj").Single());
        string lockFile = File.ReadAllText(Path.Combine(directory, "packages.lock.json"));

        Assert.DoesNotContain("KeyAgentd.Trust", csproj, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("BouncyCastle", lockFile, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("keyagentd.trust", lockFile, StringComparison.OrdinalIgnoreCase);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "KeyAgentd.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("KeyAgentd.sln not found above the test binaries");
    }
}
