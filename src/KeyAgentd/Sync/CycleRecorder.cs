using KeyAgentd.Audit;
using KeyAgentd.Configuration;
using KeyAgentd.Metrics;
using KeyAgentd.State;
using Microsoft.Extensions.Logging;
using static KeyAgentd.Sync.SyncLog;

namespace KeyAgentd.Sync;

/// <summary>
/// The end of every cycle, whatever it reached: its audit records, then status.json, the metrics textfile
/// and the one log line. Audit first: a cycle is not reported as done before its records are on disk.
/// </summary>
internal sealed class CycleRecorder(KeyAgentdSettings settings, string registryLocation, AuditLog audit, StateStore state, ILogger logger)
{
    public SyncResult Record(SyncCycle cycle, SyncResult result)
    {
        string summary = SyncSummary.Render(result);
        // Even with nothing to record: it removes the cycle's intent, whose outcome is now known.
        audit.Append(cycle.AllRecords());
        cycle.Stages.Ended("audit");
        var status = cycle.Status;
        status.LastAttempt = cycle.Now;
        status.Outcome = result.Outcome.ToCode();
        status.Message = summary;
        status.DurationSeconds = cycle.Clock.Elapsed.TotalSeconds;
        status.StageSeconds = cycle.Stages.Seconds;
        status.Registry = registryLocation;
        status.RegistryProblem = result.RegistryProblem?.Code;
        if (result.Outcome == SyncOutcome.Ok)
        {
            status.LastSuccess = cycle.Now;
        }
        state.SaveStatus(status);
        if (settings.Metrics.TextfilePath is { } metricsPath)
        {
            MetricsWriter.Write(metricsPath, status, cycle.Now);
        }
        LogCycle(logger, status.Outcome, status.DurationSeconds, summary);
        return result;
    }
}
