using KeyAgentd.State;
using KeyAgentd.Tests.Support;

namespace KeyAgentd.Tests.Cli;

/// <summary>
/// A configuration file and a state directory for running the real `keyagentd` process against: the
/// directory is root-owned and 0755 (any user can reach the files, the state directory decides who reads).
/// </summary>
public sealed class CliProcessSandbox : IDisposable
{
    private readonly TempDirectory _root = new("keyagentd-cli-");

    public CliProcessSandbox(string? registryUrl = "http://127.0.0.1:9/registry.json", string pollInterval = "00:01:00")
    {
        TestAccount.Chmod(_root.Path, 0x1ED);
        Directory.CreateDirectory(StateDirectory);
        string url = registryUrl is null ? "" : $"\"Url\": \"{registryUrl}\", ";
        File.WriteAllText(ConfigPath, $$"""
            { "Registry": { {{url}}"PollInterval": "{{pollInterval}}", "Jitter": "00:00:00" },
              "State": { "Directory": "{{StateDirectory}}" },
              "Audit": { "Path": "{{_root.File("audit.jsonl")}}" },
              "Accounts": { "PasswdFile": "/etc/passwd" } }
            """);
        TestAccount.Chmod(ConfigPath, 0x1A4);
    }

    public string ConfigPath => _root.File("keyagentd.json");

    public string StateDirectory => _root.File("state");

    public StateStore State => new(StateDirectory);

    public void Dispose() => _root.Dispose();
}
