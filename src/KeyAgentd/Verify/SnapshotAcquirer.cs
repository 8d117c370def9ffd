using KeyAgentd.Audit;
using KeyAgentd.Configuration;
using KeyAgentd.Core.Snapshot;
using KeyAgentd.Expand;
using KeyAgentd.Fetch;
using KeyAgentd.Metrics;
using KeyAgentd.State;
using KeyAgentd.Sync;
using Microsoft.Extensions.Logging;
using static KeyAgentd.Sync.SyncLog;

namespace KeyAgentd.Verify;

/// <summary>
/// Stage 1 of a cycle: the snapshot this host may apply, and why. Reads the host's trust (rollback floor,
/// sticky enforcement), loads the trust roots, re-verifies the last-known-good, fetches, verifies what it
/// fetched; holds what it has verified already (by SHA-256) from cycle to cycle, so that only changed bytes
/// are judged again in full. After the cycle applied a fresh snapshot, <see cref="Saved"/> raises the floor;
/// <see cref="SaveTrust"/> writes the trust state before the cycle's audit append.
/// </summary>
internal sealed partial class SnapshotAcquirer(
    KeyAgentdSettings settings,
    IRegistrySource registry,
    AuditLog audit,
    StateStore state,
    ExpansionMemo memo,
    ILogger logger)
{
    private readonly string _host = settings.Host.ResolvedName;

    /// <summary>Stage 1: the registry's new snapshot if it is usable (fetched, verified, valid), else the last-known-good one, with the reason.</summary>
    public async Task<AcquiredSnapshot> AcquireAsync(SyncCycle cycle, CancellationToken stopping)
    {
        var status = cycle.Status;
        var trust = ReadHostTrust(cycle);
        var setup = await LoadSignatureSetupAsync(cycle, trust, stopping).ConfigureAwait(false);
        var (lastKnownGood, floor) = LastKnownGoodContent(cycle, setup, trust);
        string? etag = ConditionalETag(lastKnownGood, status.ETag);
        var fetch = trust.File.Problem is { } damaged
            ? RegistryFetch.Failed(SyncEngine.TrustStateUnusable, damaged + "; no snapshot is fetched (the last-known-good, if verified, stays in use) until `keyagentd trust reset-serial --to N` (audited) replaces it")
            : setup.FreshRefusal is { } notJudged && setup.Mode == SignatureMode.Enforce
                ? RegistryFetch.Failed(notJudged.Code, notJudged.Message)
                : Unrefused(await registry.FetchAsync(etag, stopping).ConfigureAwait(false), etag);
        SnapshotError? problem = null;
        switch (fetch.Status)
        {
            case RegistryFetchStatus.NotModified:
                break;
            case RegistryFetchStatus.Ok:
                var (accepted, refusal) = await VerifyFetchedAsync(cycle, setup, fetch, floor, stopping).ConfigureAwait(false);
                Judged(fetch, accepted is not null);
                if (accepted is not null)
                {
                    return accepted;
                }
                problem = refusal;
                break;
            default:
                problem = new SnapshotError(fetch.ErrorCode ?? FetchProblem.Unreachable.ToCode(), fetch.Message ?? fetch.ErrorCode ?? "registry unreadable");
                break;
        }
        if (problem is not null)
        {
            problem = RegistryProblemAdvice.Advise(problem);
            CountRegistryProblem(status, problem);
            // Says what the cycle goes on with: a last-known-good that failed re-verification (or none yet) is not kept.
            LogRegistryProblem(logger, registry.Location,
                lastKnownGood is null ? "and no last-known-good snapshot: nothing changes" : "keeping last-known-good snapshot", problem.ToString());
        }
        return new AcquiredSnapshot(lastKnownGood is null ? null : LastKnownGood(lastKnownGood), Fresh: false, null, null,
            problem ?? (lastKnownGood is null ? new SnapshotError(RegistryProblemKind.NoSnapshot.ToCode(), "no snapshot has been accepted yet") : null));
    }

    /// <summary>A fresh snapshot was applied and saved as the last-known-good: it is trusted as verified and raises the floor.</summary>
    public void Saved(SyncCycle cycle, AcquiredSnapshot source)
    {
        TrustSavedSnapshot(source.Check);
        RaiseFloor(cycle, source.Snapshot!, source.Check);
    }

    private static void CountRegistryProblem(SyncStatus status, SnapshotError problem)
    {
        status.RegistryErrors[problem.Code] = status.RegistryErrors.GetValueOrDefault(problem.Code) + 1;
        status.LastRegistryError = problem.ToString();
    }

    private RegistrySnapshot LastKnownGood(byte[] content)
    {
        if (memo.TryGetSnapshot(content, out var remembered))
        {
            // The snapshot refers to the bytes it was parsed from: the state store keeps those, not a second copy.
            state.ShareSnapshotBytes(content, memo.Content!);
            return remembered!;
        }
        if (!RegistrySnapshotParser.TryParse(content, out var kept, out var keptError))
        {
            // Only ever written after it parsed; damage here is a disk problem worth stopping for.
            throw new InvalidDataException($"{state.Directory}/{StateStore.SnapshotFileName} no longer parses ({keptError.Message})");
        }
        memo.RememberSnapshot(content, kept);
        return kept;
    }
}
