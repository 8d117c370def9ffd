namespace KeyAgentd.Tests.Support;

/// <summary>
/// The `keyagentd` CLI as its own process: the assembly built with this test project (run by the
/// dotnet host: a NativeAOT project builds no apphost), and the NativeAOT executable that ships,
/// when `make publish` has made it (make test does).
/// </summary>
public static class BuiltCli
{
    /// <summary>Each way to run the CLI here: the program and the arguments that come before the CLI's own.</summary>
    public static (string File, string[] Prefix)[] All()
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/'));
        string configuration = output.Parent!.Name;
        string built = Path.Combine(RepositoryRoot.Path, "src", "KeyAgentd", "bin", configuration, output.Name, "linux-x64", "keyagentd.dll");
        Assert.True(File.Exists(built), $"{built} is built with this test project");
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        string published = Path.Combine(RepositoryRoot.Path, "out", "bin", "keyagentd");
        return File.Exists(published) ? [(dotnet, [built]), (published, [])] : [(dotnet, [built])];
    }
}
