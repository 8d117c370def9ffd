using System.Runtime.InteropServices;
using KeyAgentd.Configuration;
using KeyAgentd.Core;
using KeyAgentd.Logging;
using KeyAgentd.Sync;
using KeyAgentd.Systemd;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;

namespace KeyAgentd.Daemon;

/// <summary>
/// The daemon loop: a cycle at start, then every Registry:PollInterval ± Registry:Jitter (so a fleet
/// does not poll in lock-step); SIGHUP runs a cycle now. Cycles never overlap (the engine serialises
/// them). On SIGTERM the engine finishes the account it is writing, then the loop ends.
/// Under a systemd watchdog, WATCHDOG=1 is earned by the loop's own progress (<see cref="WatchdogDeadline"/>):
/// a ping when a cycle starts and ends, and every WatchdogSec/2 only while the cycle (or the wait for
/// the next one) is within its deadline; a hung cycle stops the pings and systemd restarts the daemon.
/// SIGHUP also reloads the configuration first (<see cref="SettingsReload"/>): a valid one runs from
/// that cycle on, an invalid one is refused and the old one kept. A loop that dies of anything ends the
/// process with <see cref="Failure"/> set, so that `run` exits non-zero and systemd restarts it.
/// </summary>
public sealed partial class SyncWorker(
    DaemonEngine daemon,
    ISystemdNotifier notifier,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    ILogger<SyncWorker> logger,
    SettingsReload? reload = null) : BackgroundService
{
    private readonly SemaphoreSlim _syncNow = new(0, 1);
    private PosixSignalRegistration? _hangup;
    private int _cycles;
    private int _reloadRequested;
    private string? _reloadRefused;
    private WatchdogDeadline? _watchdog;

    /// <summary>Cycles completed since start (for tests and the watchdog).</summary>
    public int Cycles => Volatile.Read(ref _cycles);

    /// <summary>Why the loop died, when it did: `run` then exits 1 instead of 0.</summary>
    public Exception? Failure { get; private set; }

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // Registered here, not in ExecuteAsync: .NET runs ExecuteAsync on a background thread, and a
        // SIGHUP that arrives before registration would terminate the process.
        _hangup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true;
            RequestReload();
        });
        return base.StartAsync(cancellationToken);
    }

    /// <summary>Asks for a cycle as soon as the current one (if any) is done; extra requests coalesce.</summary>
    public void RequestSync()
    {
        try
        {
            _syncNow.Release();
        }
        catch (SemaphoreFullException)
        {
        }
    }

    /// <summary>SIGHUP: re-read the configuration, then a cycle (with the new one if it is valid).</summary>
    public void RequestReload()
    {
        Interlocked.Exchange(ref _reloadRequested, 1);
        RequestSync();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        (PeriodicTimer Timer, Task Pinging)? pings = null;
        try
        {
            pings = StartWatchdog(stoppingToken);
            await RunCyclesAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            // Not left to the host: it would log a stack trace and stop with exit 0, which systemd
            // records as success and never restarts (the keys then silently stop following the registry).
            Failure = e;
            string error = $"{e.GetType().Name}: {SafeText.Escape(e.Message, 400)}";
            LogLoopDied(logger, error);
            LogLoopDiedDetail(logger, e);
            lifetime.StopApplication();
        }
        finally
        {
            // Stopped and awaited first: a tick racing the stop must not ping after STOPPING=1.
            if (pings is { } p)
            {
                p.Timer.Dispose();
                await p.Pinging.ConfigureAwait(false);
            }
        }
        notifier.Notify(ServiceState.Stopping);
    }

    private async Task RunCyclesAsync(CancellationToken stoppingToken)
    {
        LogEffective(daemon.Settings);
        await ForgetEarlierReloadAsync(stoppingToken).ConfigureAwait(false);
        await CycleAsync(stoppingToken).ConfigureAwait(false);
        if (!stoppingToken.IsCancellationRequested)
        {
            notifier.Notify(ServiceState.Ready);
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            var wait = NextDelay();
            _watchdog?.Idle(wait);
            LogNextCycle(logger, wait.TotalSeconds);
            try
            {
                await _syncNow.WaitAsync(wait, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            if (Interlocked.Exchange(ref _reloadRequested, 0) == 1)
            {
                await ReloadAsync(stoppingToken).ConfigureAwait(false);
            }
            await CycleAsync(stoppingToken).ConfigureAwait(false);
        }
    }

    private async Task CycleAsync(CancellationToken stoppingToken)
    {
        Progress(beginCycle: true);
        try
        {
            var result = await daemon.Engine.RunAsync(new SyncOptions(), stoppingToken).ConfigureAwait(false);
            string refused = _reloadRefused is null ? "" : "; configuration reload REFUSED, running the previous one (see the journal)";
            notifier.Notify(ServiceStates.Status($"{result.Outcome.ToCode()}: {SyncSummary.Render(result)}{refused}"));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception e) when (ExpectedFailure.Is(e))
        {
            // One bad cycle (a full disk, a damaged state file) must not end the service: keys stay as they are.
            // Its message names the cause; a stack trace would bury that line under a hundred others.
            LogCycleFailedBecause(logger, e.Message);
            notifier.Notify(ServiceStates.Status($"failed: {e.Message}"));
        }
        catch (Exception e)
        {
            // Anything else is a bug in keyagentd: the stack trace is what finding it takes.
            LogCycleFailed(logger, e);
            notifier.Notify(ServiceStates.Status($"failed: {e.Message}"));
        }
        Interlocked.Increment(ref _cycles);
        Progress(beginCycle: false);
    }

    /// <summary>A cycle starting or ending is progress: ping now, and a new cycle gets a fresh deadline.</summary>
    private void Progress(bool beginCycle)
    {
        if (_watchdog is null)
        {
            return;
        }
        if (beginCycle)
        {
            _watchdog.BeginCycle();
        }
        else
        {
            _watchdog.Idle(TimeSpan.Zero);
        }
        notifier.Notify(ServiceStates.Watchdog);
    }

    private TimeSpan NextDelay()
    {
        var registry = daemon.Settings.Registry;
        var jitter = registry.Jitter;
        double offset = jitter > TimeSpan.Zero ? (Random.Shared.NextDouble() * 2 - 1) * jitter.TotalMilliseconds : 0;
        var delay = registry.PollInterval + TimeSpan.FromMilliseconds(offset);
        return delay < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : delay;
    }

    private (PeriodicTimer Timer, Task Pinging)? StartWatchdog(CancellationToken stoppingToken)
    {
        if (ServiceNotifier.WatchdogTimeout() is not { } timeout)
        {
            return null;
        }
        var deadline = new WatchdogDeadline(timeout, time);
        _watchdog = deadline;
        var timer = new PeriodicTimer(deadline.PingInterval, time);
        var pinging = Task.Run(async () =>
        {
            bool overdue = false;
            try
            {
                while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
                {
                    if (deadline.ShouldPing())
                    {
                        overdue = false;
                        notifier.Notify(ServiceStates.Watchdog);
                    }
                    else if (!overdue)
                    {
                        overdue = true;
                        double running = deadline.SinceCycleStart().TotalSeconds;
                        LogWatchdogOverdue(logger, running, deadline.CycleBudget.TotalSeconds);
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        }, CancellationToken.None);
        return (timer, pinging);
    }

    public override void Dispose()
    {
        _hangup?.Dispose();
        _syncNow.Dispose();
        base.Dispose();
    }

    [LoggerMessage(EventId = 304, Level = LogLevel.Critical, Message = "the sync loop died ({Error}); exiting with status 1 so that systemd restarts the daemon")]
    private static partial void LogLoopDied(ILogger logger, string error);

    [LoggerMessage(EventId = 305, Level = LogLevel.Debug, Message = "where the sync loop died")]
    private static partial void LogLoopDiedDetail(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 200, Level = LogLevel.Debug, Message = "next sync in {Seconds:0.0}s")]
    private static partial void LogNextCycle(ILogger logger, double seconds);

    [LoggerMessage(EventId = 201, Level = LogLevel.Error, Message = "sync cycle failed; files left as they were")]
    private static partial void LogCycleFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 340, Level = LogLevel.Error, Message = "sync cycle failed; files left as they were: {Error}")]
    private static partial void LogCycleFailedBecause(ILogger logger, string error);

    [LoggerMessage(EventId = 202, Level = LogLevel.Critical, Message = "no progress: the sync cycle began {Seconds:0.0}s ago and is past its watchdog budget of {Budget:0.0}s; WATCHDOG=1 pings stop, so systemd restarts the daemon")]
    private static partial void LogWatchdogOverdue(ILogger logger, double seconds, double budget);
}
