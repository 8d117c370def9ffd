namespace KeyAgentd.Configuration;

/// <summary>Unusable configuration: exit code 2, message shown as is.</summary>
public sealed class SettingsException(string message, Exception? inner = null) : Exception(message, inner);
