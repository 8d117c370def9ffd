using System.CommandLine;
using KeyAgentd.Configuration;
using KeyAgentd.Daemon;
using KeyAgentd.Logging;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Serilog;

namespace KeyAgentd.Cli;

/// <summary>`keyagentd run`: the daemon under Microsoft.Extensions.Hosting (SIGTERM/SIGINT stop it, SIGHUP syncs now).</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var command = new Command("run", "run as a daemon: sync now, then every Registry:PollInterval; SIGHUP syncs at once");
        // Settings errors surface while loading or while the host builds its services (e.g. a bad CaFile).
        command.SetAction((parse, cancel) => CommonOptions.WithSettingsAsync(parse, async settings =>
        {
            using var host = Build(settings);
            await host.RunAsync(cancel).ConfigureAwait(false);
            return ExitCodes.Ok;
        }));
        return command;
    }

    public static IHost Build(KeyAgentdSettings settings, ISystemdNotifier? notifier = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, ContentRootPath = "/" });
        builder.Services.AddSerilog(LoggingSetup.Create(), dispose: true);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(10));
        builder.Services.AddKeyAgentd(settings);
        // Not UseSystemd(): its SystemdLifetime sends READY=1 when the host has started, and READY
        // must wait for the first sync (SyncWorker sends it, STATUS after every cycle, STOPPING at the end).
        builder.Services.AddSingleton(notifier ?? new KeyAgentd.Systemd.SystemdNotifier());
        builder.Services.AddSingleton<SyncWorker>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<SyncWorker>());
        return builder.Build();
    }
}
