using KeyAgentd.Accounts;
using KeyAgentd.Audit;
using KeyAgentd.Configuration;
using KeyAgentd.Fetch;
using KeyAgentd.Homes;
using KeyAgentd.Logging;
using KeyAgentd.State;
using KeyAgentd.Sync;
using Microsoft.Extensions.DependencyInjection;
using Serilog;

namespace KeyAgentd.Cli;

/// <summary>The composition root shared by `sync`, `run` and `doctor`: one place that wires the edges.</summary>
public static class AppServices
{
    public static IServiceCollection AddKeyAgentd(this IServiceCollection services, KeyAgentdSettings settings)
    {
        services.AddSingleton(settings);
        services.AddSingleton(TimeProvider.System);
        services.AddRegistryHttpClient(settings.Registry);
        services.AddSingleton(sp => RegistrySourceFactory.Create(settings.Registry, settings.Host.ResolvedName, sp));
        services.AddSingleton(_ => CreateAccountDatabase(settings));
        services.AddSingleton<HomeKeyFiles>();
        services.AddSingleton(_ => new StateStore(settings.State.Directory));
        services.AddSingleton(sp => new AuditLog(settings.Audit.Path, sp.GetRequiredService<StateStore>().AuditHeadPath, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<SyncEngine>();
        return services;
    }

    /// <summary>For one-shot commands: a provider with logging to stderr (stdout is the command's own).</summary>
    public static ServiceProvider BuildForCommand(KeyAgentdSettings settings)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSerilog(LoggingSetup.Create(toStandardError: true), dispose: true);
        services.AddKeyAgentd(settings);
        return services.BuildServiceProvider();
    }

    public static IAccountDatabase CreateAccountDatabase(KeyAgentdSettings settings) =>
        settings.Accounts.PasswdFile is { } passwd ? new PasswdFileAccountDatabase(passwd) : new NssAccountDatabase();
}
