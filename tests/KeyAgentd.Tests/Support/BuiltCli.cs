namespace KeyAgentd.Tests.Support;

/// <summary>
/// A CLI (`keyagentd`, or `keyagentd-registry` for the registry's tests) as its own process: the assembly built with this test project (run by the
/// dotnet host: a NativeAOT project builds no apphost), and the NativeAOT executable that ships,
/// when `make publish` has made it (make test does). `make unit` sets KEYAGENTD_TESTS_BUILT_ONLY=1: it
/// publishes nothing, so an out/bin left by an older publish must not stand in for this build.
/// </summary>
public static class BuiltCli
{
    /// <summary>Each way to run the CLI here: the program and the arguments that come before the CLI's own.</summary>
    public static (string File, string[] Prefix)[] All() => All("KeyAgentd", "keyagentd");

    /// <param name="project">the folder under src/</param>
    /// <param name="program">its assembly name, which is the published executable's</param>
    public static (string File, string[] Prefix)[] All(string project, string program)
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/'));
        string configuration = output.Parent!.Name;
        string built = Path.Combine(RepositoryRoot.Path, "src", project, "bin", configuration, output.Name, "linux-x64", program + ".dll");
        Assert.True(File.Exists(built), $"{built} is built with this test project");
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        string published = Path.Combine(RepositoryRoot.Path, "out", "bin", program);
        bool builtOnly = Environment.GetEnvironmentVariable("KEYAGENTD_TESTS_BUILT_ONLY") == "1";
        return File.Exists(published) && !builtOnly ? [(dotnet, [built]), (published, [])] : [(dotnet, [built])];
    }
}
