using KeyAgentd.Audit;
using KeyAgentd.Core.Registry;
using KeyAgentd.Registry;
using KeyAgentd.State;

namespace KeyAgentd.Sync;

public sealed partial class SyncEngine
{
    /// <param name="Snapshot">What this cycle applies: a fresh snapshot, or the last-known-good one.</param>
    /// <param name="Fresh">A newly accepted document (to be saved as last-known-good after it is applied).</param>
    /// <param name="Problem">Why the registry's answer could not be used ("code: message"), if it could not.</param>
    private sealed record SnapshotSource(RegistrySnapshot? Snapshot, bool Fresh, byte[]? Content, string? ETag, string? Problem);

    private async Task<SnapshotSource> ObtainSnapshotAsync(SyncStatus status, DateTimeOffset now, List<AuditRecord> records, string host, CancellationToken stopping)
    {
        byte[]? lastKnownGood = state.LoadSnapshot();
        // Without a local copy a 304 would leave us with nothing, so only ask conditionally when we have one.
        var fetch = await registry.FetchAsync(lastKnownGood is null ? null : status.ETag, stopping).ConfigureAwait(false);
        string? problem = null;
        switch (fetch.Status)
        {
            case RegistryFetchStatus.NotModified:
                break;
            case RegistryFetchStatus.Failed:
                problem = $"{fetch.ErrorCode}: {fetch.Message}";
                CountRegistryError(status, fetch.ErrorCode!, problem);
                break;
            case RegistryFetchStatus.Ok:
                if (!RegistrySnapshotParser.TryParse(fetch.Content, out var parsed, out var error) ||
                    (error = SnapshotValidator.Check(parsed, status.SnapshotSerial, now)) is not null)
                {
                    problem = $"{error.Code}: {error.Message}";
                    CountRegistryError(status, error.Code, problem);
                    records.Add(Record(AuditActions.SnapshotRefused, now, host, parsed?.Serial) with { Reason = error.Code, Message = error.Message });
                    break;
                }
                status.LastRegistryError = null;
                records.Add(Record(AuditActions.SnapshotAccepted, now, host, parsed.Serial) with { Message = $"from {registry.Location}" });
                return new SnapshotSource(parsed, Fresh: true, fetch.Content, fetch.ETag, null);
        }
        if (problem is not null)
        {
            LogRegistryProblem(logger, registry.Location, problem);
        }
        if (lastKnownGood is null)
        {
            return new SnapshotSource(null, false, null, null, problem ?? "no snapshot has been accepted yet");
        }
        if (_memo.TryGetSnapshot(lastKnownGood, out var remembered))
        {
            return new SnapshotSource(remembered, Fresh: false, null, null, problem);
        }
        if (!RegistrySnapshotParser.TryParse(lastKnownGood, out var kept, out var keptError))
        {
            // Only ever written after it parsed; damage here is a disk problem worth stopping for.
            throw new InvalidDataException($"{state.Directory}/{StateStore.SnapshotFileName} no longer parses ({keptError.Message})");
        }
        _memo.RememberSnapshot(lastKnownGood, kept);
        return new SnapshotSource(kept, Fresh: false, null, null, problem);
    }

    private static void CountRegistryError(SyncStatus status, string kind, string problem)
    {
        status.RegistryErrors[kind] = status.RegistryErrors.GetValueOrDefault(kind) + 1;
        status.LastRegistryError = problem;
    }
}
