using KeyAgentd.Configuration;
using KeyAgentd.Core;
using KeyAgentd.Core.Planning;
using KeyAgentd.State;
using Microsoft.Extensions.Logging;

namespace KeyAgentd.Daemon;

/// <summary>
/// The reload half of the loop: SIGHUP re-reads the configuration through <see cref="SettingsReload"/>
/// (the loader `run` started with, the same checks), and the worker either swaps in an engine built
/// from it (<see cref="DaemonEngine.Replace"/>) and logs what changed, or refuses it, keeps the engine
/// it has and says so in the journal (error), in STATUS and in status.json.
/// </summary>
public sealed partial class SyncWorker
{
    /// <summary>Read and check the configuration again; apply it from this cycle on, or refuse it and keep the old one.</summary>
    private async Task ReloadAsync(CancellationToken stoppingToken)
    {
        if (reload is null)
        {
            return;
        }
        var at = time.GetUtcNow();
        string? changed = null;
        try
        {
            var next = reload();
            var changes = SettingsChanges.Between(daemon.Settings, next);
            if (changes.Count > 0)
            {
                daemon.Replace(next);
                changed = string.Join("; ", changes);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A settings error, or a part that cannot be built from them: the running engine is untouched.
            _reloadRefused = e.Message;
            LogReloadRefused(logger, SafeText.Escape(e.Message, 600));
            await RecordReloadAsync(new ConfigReload { At = at, Outcome = ConfigReload.Refused, Message = e.Message }, stoppingToken).ConfigureAwait(false);
            return;
        }
        _reloadRefused = null;
        if (changed is null)
        {
            LogReloadUnchanged(logger);
        }
        else
        {
            LogReloaded(logger, changed);
            LogEffective(daemon.Settings);
        }
        await RecordReloadAsync(new ConfigReload { At = at, Outcome = ConfigReload.Applied, Message = changed ?? "no change" }, stoppingToken).ConfigureAwait(false);
    }

    /// <summary>A refusal recorded by an earlier daemon is not this one's: it has just loaded the file.</summary>
    private async Task ForgetEarlierReloadAsync(CancellationToken stoppingToken)
    {
        if (daemon.State.LoadStatus() is { ConfigReload: not null, Damaged: null })
        {
            await RecordReloadAsync(null, stoppingToken).ConfigureAwait(false);
        }
    }

    /// <summary>In status.json, under the sync lock so that a manual `keyagentd sync` saving its status does not lose it.</summary>
    private async Task RecordReloadAsync(ConfigReload? record, CancellationToken stoppingToken)
    {
        var state = daemon.State;
        try
        {
            using var held = await state.LockAsync(stoppingToken).ConfigureAwait(false);
            var status = state.LoadStatus();
            status.ConfigReload = record;
            state.SaveStatus(status);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            LogReloadNotRecorded(logger, e.Message);
        }
    }

    private void LogEffective(KeyAgentdSettings settings)
    {
        var registry = settings.Registry;
        string url = SettingsChanges.Redact(registry.Url ?? "");
        string poll = Durations.Format(registry.PollInterval);
        string jitter = Durations.Format(registry.Jitter);
        string timeout = Durations.Format(registry.Timeout);
        string mode = settings.Accounts.Mode.ToName();
        string files = settings.Delivery.AuthorizedKeysFiles ? "true" : "false";
        LogSettings(logger, url, poll, jitter, timeout, mode, files);
    }

    [LoggerMessage(EventId = 300, Level = LogLevel.Information, Message = "registry {Registry}: polled every {PollInterval} ± {Jitter}, {Timeout} per attempt; Accounts:Mode {Mode}, Delivery:AuthorizedKeysFiles {Files}")]
    private static partial void LogSettings(ILogger logger, string registry, string pollInterval, string jitter, string timeout, string mode, string files);

    [LoggerMessage(EventId = 301, Level = LogLevel.Information, Message = "configuration reloaded, in effect from this cycle on: {Changes}")]
    private static partial void LogReloaded(ILogger logger, string changes);

    [LoggerMessage(EventId = 302, Level = LogLevel.Information, Message = "configuration reloaded: no change")]
    private static partial void LogReloadUnchanged(ILogger logger);

    [LoggerMessage(EventId = 303, Level = LogLevel.Error, Message = "configuration reload REFUSED, the daemon keeps running the configuration it had: {Reason}")]
    private static partial void LogReloadRefused(ILogger logger, string reason);

    [LoggerMessage(EventId = 306, Level = LogLevel.Warning, Message = "the configuration reload could not be recorded in status.json: {Reason}")]
    private static partial void LogReloadNotRecorded(ILogger logger, string reason);
}
