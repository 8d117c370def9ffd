using Microsoft.Extensions.Logging;

namespace KeyAgentd.Sync;

/// <summary>All of the engine's log events in one place, source-generated.</summary>
public sealed partial class SyncEngine
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "sync {Outcome} in {Seconds:0.000}s: {Summary}")]
    private static partial void LogCycle(ILogger logger, string outcome, double seconds, string summary);

    [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "registry {Location} unusable, keeping last-known-good snapshot: {Problem}")]
    private static partial void LogRegistryProblem(ILogger logger, string location, string problem);

    [LoggerMessage(EventId = 102, Level = LogLevel.Error, Message = "mass-removal guard tripped, nothing written: {Message}")]
    private static partial void LogGuard(ILogger logger, string message);

    [LoggerMessage(EventId = 103, Level = LogLevel.Error, Message = "account {Account} refused: {Code}: {Why}")]
    private static partial void LogRefused(ILogger logger, string account, string code, string why);

    [LoggerMessage(EventId = 104, Level = LogLevel.Warning, Message = "mass removal let through by the registry's removal_approval for serial {Serial}: {Reason}")]
    private static partial void LogRemovalApproved(ILogger logger, long serial, string reason);
}
