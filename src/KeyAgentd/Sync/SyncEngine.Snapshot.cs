using KeyAgentd.Audit;
using KeyAgentd.Core.Snapshot;
using KeyAgentd.Registry;
using KeyAgentd.State;

namespace KeyAgentd.Sync;

public sealed partial class SyncEngine
{
    /// <summary>Stage 1: the registry's new snapshot if it is usable, else the last-known-good one, with the reason.</summary>
    private async Task<SnapshotSource> AcquireSnapshotAsync(SyncCycle cycle, CancellationToken stopping)
    {
        var status = cycle.Status;
        byte[]? lastKnownGood = state.LoadSnapshot();
        // Without a local copy a 304 would leave us with nothing, so only ask conditionally when we have one.
        var fetch = await registry.FetchAsync(lastKnownGood is null ? null : status.ETag, stopping).ConfigureAwait(false);
        SnapshotError? problem = null;
        switch (fetch.Status)
        {
            case RegistryFetchStatus.NotModified:
                break;
            case RegistryFetchStatus.Failed:
                problem = new SnapshotError(fetch.ErrorCode!, fetch.Message ?? fetch.ErrorCode!);
                break;
            case RegistryFetchStatus.Ok:
                if (!RegistrySnapshotParser.TryParse(fetch.Content, out var parsed, out var error) ||
                    (error = SnapshotValidator.Check(parsed, status.SnapshotSerial, cycle.Now)) is not null)
                {
                    problem = error;
                    cycle.Records.Add(cycle.Record(AuditActions.SnapshotRefused, parsed?.Serial) with { Reason = error.Code, Message = error.Message });
                    break;
                }
                status.LastRegistryError = null;
                cycle.Records.Add(cycle.Record(AuditActions.SnapshotAccepted, parsed.Serial) with { Message = $"from {registry.Location}" });
                return new SnapshotSource(parsed, Fresh: true, fetch.Content, fetch.ETag, null);
        }
        if (problem is not null)
        {
            status.RegistryErrors[problem.Code] = status.RegistryErrors.GetValueOrDefault(problem.Code) + 1;
            status.LastRegistryError = problem.ToString();
            LogRegistryProblem(logger, registry.Location, problem.ToString());
        }
        return new SnapshotSource(lastKnownGood is null ? null : LastKnownGood(lastKnownGood), Fresh: false, null, null,
            problem ?? (lastKnownGood is null ? new SnapshotError("no-snapshot", "no snapshot has been accepted yet") : null));
    }

    private RegistrySnapshot LastKnownGood(byte[] content)
    {
        if (_memo.TryGetSnapshot(content, out var remembered))
        {
            return remembered!;
        }
        if (!RegistrySnapshotParser.TryParse(content, out var kept, out var keptError))
        {
            // Only ever written after it parsed; damage here is a disk problem worth stopping for.
            throw new InvalidDataException($"{state.Directory}/{StateStore.SnapshotFileName} no longer parses ({keptError.Message})");
        }
        _memo.RememberSnapshot(content, kept);
        return kept;
    }
}
