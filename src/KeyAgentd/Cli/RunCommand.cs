using System.CommandLine;
using KeyAgentd.Configuration;
using KeyAgentd.Core;
using KeyAgentd.Daemon;
using KeyAgentd.Logging;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;
using Serilog;

namespace KeyAgentd.Cli;

/// <summary>
/// `keyagentd run`: the daemon under Microsoft.Extensions.Hosting (SIGTERM/SIGINT stop it, SIGHUP
/// reloads the configuration and syncs now). Exit 0 on a clean stop, 1 when the sync loop died (so
/// systemd's Restart=on-failure restarts it), 2 for a configuration error at start.
/// </summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var command = new Command("run", "run as a daemon: sync now, then every Registry:PollInterval; SIGHUP reloads the configuration and syncs at once");
        // Everything the daemon needs is checked while loading (DaemonRequirements): a configuration
        // error is one located line and exit 2, never an exception inside the host's start.
        command.SetAction((parse, cancel) => CommonOptions.WithSettingsAsync(parse, async settings =>
        {
            using var host = Build(settings, reload: () => CommonOptions.LoadSettings(parse, DaemonRequirements.Check));
            return await RunAsync(host, cancel).ConfigureAwait(false);
        }, DaemonRequirements.Check));
        return command;
    }

    /// <summary>Runs the host until it stops; the exit code says whether the sync loop ended by itself.</summary>
    public static async Task<int> RunAsync(IHost host, CancellationToken cancel)
    {
        var worker = host.Services.GetRequiredService<SyncWorker>();
        try
        {
            await host.RunAsync(cancel).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await Console.Error.WriteLineAsync($"keyagentd: the daemon failed: {SafeText.Escape(e.Message, 600)}").ConfigureAwait(false);
            return ExitCodes.Failed;
        }
        return worker.Failure is null && worker.ExecuteTask is not { IsFaulted: true } ? ExitCodes.Ok : ExitCodes.Failed;
    }

    /// <param name="reload">How SIGHUP reads the configuration again; null: SIGHUP only syncs (tests).</param>
    public static IHost Build(KeyAgentdSettings settings, ISystemdNotifier? notifier = null, SettingsReload? reload = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, ContentRootPath = "/" });
        builder.Services.AddSerilog(LoggingSetup.Create(), dispose: true);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(10));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(sp => new DaemonEngine(settings, sp.GetRequiredService<ILoggerFactory>()));
        if (reload is not null)
        {
            builder.Services.AddSingleton(reload);
        }
        // Not UseSystemd(): its SystemdLifetime sends READY=1 when the host has started, and READY
        // must wait for the first sync (SyncWorker sends it, STATUS after every cycle, STOPPING at the end).
        builder.Services.AddSingleton(notifier ?? new KeyAgentd.Systemd.ServiceNotifier());
        builder.Services.AddSingleton<SyncWorker>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<SyncWorker>());
        return builder.Build();
    }
}
