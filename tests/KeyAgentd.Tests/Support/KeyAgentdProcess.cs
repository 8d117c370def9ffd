namespace KeyAgentd.Tests.Support;

/// <summary>
/// The `keyagentd` CLI as its own process: the assembly built for linux-x64 beside this test project, run
/// by the dotnet host (a NativeAOT project builds no apphost), optionally as another user through setpriv.
/// What an operator types, exit code and both streams, with nothing of the test process shared.
/// </summary>
public static class KeyAgentdProcess
{
    public static string BuiltAssembly
    {
        get
        {
            var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/'));
            string built = Path.Combine(RepositoryRoot.Path, "src", "KeyAgentd", "bin", output.Parent!.Name, output.Name, "linux-x64", "keyagentd.dll");
            Assert.True(File.Exists(built), $"{built} is built with this test project");
            return built;
        }
    }

    public static ProcessRunner.Result Run(params string[] arguments) => RunAs(null, arguments);

    /// <param name="uid">Run as this uid and gid (setpriv, no supplementary groups); null as the test's own user.</param>
    public static ProcessRunner.Result RunAs(uint? uid, params string[] arguments)
    {
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        // The host needs a home it may write for its own first-run files; a user such as nobody has none.
        var environment = new Dictionary<string, string> { ["HOME"] = "/tmp", ["DOTNET_CLI_HOME"] = "/tmp", ["DOTNET_NOLOGO"] = "1" };
        string[] command = [dotnet, BuiltAssembly, .. arguments];
        return uid is { } id
            ? ProcessRunner.Run("setpriv", [$"--reuid={id}", $"--regid={id}", "--clear-groups", .. command], environment: environment, timeout: TimeSpan.FromSeconds(60))
            : ProcessRunner.Run(command[0], command[1..], environment: environment, timeout: TimeSpan.FromSeconds(60));
    }
}
