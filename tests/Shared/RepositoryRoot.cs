namespace KeyAgentd.Testing;

/// <summary>The checkout the tests were built from: the nearest directory above the test assembly holding KeyAgentd.sln.</summary>
public static class RepositoryRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(System.IO.Path.Combine(dir.FullName, "KeyAgentd.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException($"no KeyAgentd.sln above {AppContext.BaseDirectory}");
    }
}
