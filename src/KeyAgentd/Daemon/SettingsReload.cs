using KeyAgentd.Configuration;

namespace KeyAgentd.Daemon;

/// <summary>
/// Reads the daemon's configuration again, from the same file, environment and command line as at
/// start and with the same checks; throws <see cref="SettingsException"/> when it is unusable.
/// </summary>
public delegate KeyAgentdSettings SettingsReload();
