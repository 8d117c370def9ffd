using KeyAgentd.Cli;
using KeyAgentd.Configuration;
using KeyAgentd.State;
using KeyAgentd.Sync;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KeyAgentd.Daemon;

/// <summary>
/// The sync engine the daemon runs its cycles with, and the settings it was built from. Every part of
/// a cycle (registry source and HTTP client, accounts, policy, delivery, state, audit) is wired from
/// the settings, so a reload builds the whole engine again from the new ones and the next cycle runs
/// on it; the old one is disposed, as no cycle is running when the worker swaps them.
/// </summary>
public sealed class DaemonEngine : IDisposable
{
    private readonly ILoggerFactory _loggers;
    private ServiceProvider _services;

    public DaemonEngine(KeyAgentdSettings settings, ILoggerFactory loggers)
    {
        _loggers = loggers;
        _services = Build(settings);
        Settings = settings;
    }

    public KeyAgentdSettings Settings { get; private set; }

    public SyncEngine Engine => _services.GetRequiredService<SyncEngine>();

    public StateStore State => _services.GetRequiredService<StateStore>();

    /// <summary>From the next cycle on, runs with <paramref name="settings"/>. Only between cycles.</summary>
    public void Replace(KeyAgentdSettings settings)
    {
        var services = Build(settings);
        try
        {
            // Resolved now: a part that cannot be built fails the reload, not the next cycle.
            _ = services.GetRequiredService<SyncEngine>();
        }
        catch
        {
            services.Dispose();
            throw;
        }
        var old = _services;
        _services = services;
        Settings = settings;
        old.Dispose();
    }

    private ServiceProvider Build(KeyAgentdSettings settings)
    {
        var services = new ServiceCollection();
        // The host's logger factory (Serilog, journald priorities), not one of its own: an instance, so
        // disposing this provider at the next reload leaves it alone.
        services.AddSingleton(_loggers);
        services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        services.AddKeyAgentd(settings);
        return services.BuildServiceProvider();
    }

    public void Dispose() => _services.Dispose();
}
