using KeyAgentd.Configuration;

namespace KeyAgentd.Tests.Support;

/// <summary>
/// KEYAGENTD_* environment variables set for one test and restored after it. The environment is
/// process-wide (and inherited by the daemons other tests start), so tests using this run in a
/// collection that xunit runs alone.
/// </summary>
public sealed class SettingsEnvironment : IDisposable
{
    public const string Name = "process environment";

    private readonly List<(string Name, string? Old)> _saved = [];

    public SettingsEnvironment(params (string Key, string Value)[] values)
    {
        foreach (var (key, value) in values)
        {
            string name = SettingsLoader.EnvironmentPrefix + key;
            _saved.Add((name, Environment.GetEnvironmentVariable(name)));
            Environment.SetEnvironmentVariable(name, value);
        }
    }

    public void Dispose()
    {
        foreach (var (name, old) in _saved)
        {
            Environment.SetEnvironmentVariable(name, old);
        }
    }
}
