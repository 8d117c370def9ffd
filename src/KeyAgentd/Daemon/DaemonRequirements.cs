using KeyAgentd.Configuration;
using KeyAgentd.Fetch;

namespace KeyAgentd.Daemon;

/// <summary>
/// What `run` needs beyond what every command needs (a usable Registry:Url and Registry:CaFile),
/// checked while loading, so that a mistake is one located line and exit 2 at start, at
/// `keyagentd config validate` and at a reload, never an exception inside the host's start.
/// </summary>
public static class DaemonRequirements
{
    public static void Check(KeyAgentdSettings settings)
    {
        RegistrySourceFactory.ResolveUrl(settings.Registry, settings.Host.ResolvedName);
        RegistryTls.PinnedTo(settings.Registry.CaFile);
    }
}
