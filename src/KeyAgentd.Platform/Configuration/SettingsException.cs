namespace KeyAgentd.Configuration;

/// <summary>Unusable configuration: exit code 2, message shown as is.</summary>
/// <param name="key">
/// The configuration key whose value is wrong (Registry:PollInterval), when there is one: the loader
/// then puts where that value came from in front of the message (the file with its line and column,
/// or the environment variable), so the operator is sent to the exact spot.
/// </param>
public sealed class SettingsException(string message, Exception? inner = null, string? key = null) : Exception(message, inner)
{
    public string? Key { get; } = key;

    public static SettingsException ForKey(string key, string message) => new(message, key: key);
}
