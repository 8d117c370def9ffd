using KeyAgentd.Accounts;
using KeyAgentd.Audit;
using KeyAgentd.CertificateTrust;
using KeyAgentd.Configuration;
using KeyAgentd.Core.Planning;
using KeyAgentd.Expand;
using KeyAgentd.Fetch;
using KeyAgentd.HelperCache;
using KeyAgentd.Homes;
using KeyAgentd.Revocation;
using KeyAgentd.State;
using KeyAgentd.Verify;
using Microsoft.Extensions.Logging;
using static KeyAgentd.Sync.SyncLog;

namespace KeyAgentd.Sync;

/// <summary>
/// One sync cycle, as its stages: secure the state directory → acquire a trusted snapshot (fetch, verify,
/// last-known-good) → expand → select accounts → plan → publish revocations → guard → state the intent →
/// write homes and helper caches → record → finish. The pure core decides (expansion, planning, the guard);
/// this class and its stages only move bytes between the registry, the files and the state directory.
/// Fail-safe: a registry that is down, invalid, rolled back or expired changes nothing except what the
/// last-known-good snapshot itself says (keys whose not_after passed still drop on schedule). What one cycle
/// carries from stage to stage lives in its <see cref="SyncCycle"/>; what a stage keeps from one cycle to the
/// next (what was verified, the last KRL) lives in that stage.
/// </summary>
public sealed partial class SyncEngine : IDisposable
{
    public const string LastKnownGoodUnverified = "last-known-good-unverified";

    public const string TrustStateUnusable = "trust-state-unusable";

    private readonly KeyAgentdSettings _settings;
    private readonly AuditLog _audit;
    private readonly StateStore _state;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);
    private readonly string _host;
    private readonly ExpansionMemo _memo = new();
    private readonly SnapshotAcquirer _acquirer;
    private readonly HostExpander _expander;
    private readonly RevocationPublisher _revocations;
    private readonly AccountPlanner _planner;
    private readonly AccountWriter _writer;
    private readonly HelperCaches _caches;
    private readonly CertificateTrustPublisher _certificateTrust;
    private readonly CycleRecorder _recorder;

    public SyncEngine(
        KeyAgentdSettings settings,
        IRegistrySource registry,
        IAccountDatabase accounts,
        HomeKeyFiles writer,
        AuditLog audit,
        StateStore state,
        TimeProvider time,
        ILogger<SyncEngine> logger)
    {
        _settings = settings;
        _audit = audit;
        _state = state;
        _time = time;
        _logger = logger;
        _host = settings.Host.ResolvedName;
        // The stages log through this logger: every event keeps the category it has always had.
        _acquirer = new SnapshotAcquirer(settings, registry, audit, state, _memo, logger);
        _expander = new HostExpander(settings, accounts, state, _memo, time, logger);
        _revocations = new RevocationPublisher(settings, logger);
        _certificateTrust = new CertificateTrustPublisher(settings, logger);
        _caches = new HelperCaches(settings, state, logger);
        _planner = new AccountPlanner(settings, writer, state);
        _writer = new AccountWriter(settings, writer, _caches);
        _recorder = new CycleRecorder(settings, registry.Location, audit, state, logger);
    }

    public void Dispose() => _oneAtATime.Dispose();

    public async Task<SyncResult> RunAsync(SyncOptions options, CancellationToken stopping)
    {
        // Overlapping cycles (a SIGHUP during a timed one, a manual sync in another process) are impossible by construction.
        await _oneAtATime.WaitAsync(stopping).ConfigureAwait(false);
        try
        {
            // A dry run writes nothing and may run unprivileged, so it does not queue behind the lock.
            using var processes = options.DryRun ? null : await _state.LockAsync(stopping).ConfigureAwait(false);
            var result = await RunLockedAsync(new SyncCycle(_time.GetUtcNow(), _state.LoadStatus(), _host, options), stopping).ConfigureAwait(false);
            ReturnReplacedExpansion();
            return result;
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    /// <summary>
    /// A cycle that expanded a snapshot anew (the first, or one after a change) leaves the last expansion, its
    /// plans and the parse behind as garbage: tens of megabytes on a 10,000-account host. The daemon then
    /// allocates little until the next change, so without a collection now that memory would stay committed
    /// for as long as the snapshot does. One compacting collection, given back to the system; no-change
    /// cycles never pay it.
    /// </summary>
    private void ReturnReplacedExpansion()
    {
        if (_memo.TakeReplaced())
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        }
    }

    private async Task<SyncResult> RunLockedAsync(SyncCycle cycle, CancellationToken stopping)
    {
        if (!cycle.Options.DryRun)
        {
            // Stage 0: whatever a stopped cycle left in the audit (a torn line, its unrecorded changes) goes in
            // first; then the state directory as keyagentd-keys demands it.
            AuditAside(_audit.Settle);
            SecureStateDirectory(cycle);
        }
        cycle.Stages.Ended("settle");
        // Stage 1: fetch, verify, or fall back on the last-known-good.
        var source = await _acquirer.AcquireAsync(cycle, stopping).ConfigureAwait(false);
        cycle.Stages.Ended("acquire");
        if (source.Snapshot is not { } snapshot)
        {
            if (!cycle.Options.DryRun)
            {
                // No snapshot at all (first start with the registry down, or every one refused): sshd
                // must still find the KRL, or it refuses every public key on the host.
                _revocations.EnsureExists();
            }
            return Finish(cycle, new SyncResult(SyncOutcome.RegistryUnusable, SyncCounts.None) { RegistryProblem = source.Problem });
        }
        if (source.Fresh && source.Content is not null)
        {
            // Its expansion is then the one the next cycles reuse, applied or not (the memo is keyed by the bytes).
            _memo.RememberSnapshot(source.Content, snapshot);
        }
        // Stages 2 to 4: expand for this host, select its accounts, plan each one (the guard is decided with the plan).
        var expansion = _expander.Expand(snapshot, cycle.Now);
        cycle.Stages.Ended("expand");
        var selection = _expander.SelectAccounts(expansion.Desired);
        cycle.Stages.Ended("select");
        var planned = _planner.Plan(selection.Managed, expansion, selection.FilesBefore);
        var plan = SyncPlan.Create(planned.Plans, expansion.Desired.Rejections, _settings.Safety.ToRemovalLimits(), snapshot.Serial, snapshot.RemovalApproval);
        cycle.Stages.Ended("plan");
        if (cycle.Options.DryRun)
        {
            return Report(cycle, source, plan, selection, planned.Failures, Applied.Nothing) with { DryRun = true };
        }
        // Stage 5: revocation always wins, guard or not: sshd refuses these keys wherever they are found.
        _revocations.Publish(snapshot);
        _certificateTrust.WithdrawRevoked(snapshot);
        cycle.Stages.Ended("revoke");
        // Stage 6: the mass-removal guard.
        if (plan.Guard.Tripped && !cycle.Options.Force)
        {
            return Finish(cycle, GuardTripped(cycle, source, plan, selection));
        }
        // Stage 7: the intent, then stage 8: the homes and helper caches, then the caches of accounts no longer managed.
        IntendChanges(cycle, snapshot.Serial, plan, planned);
        cycle.Stages.Ended("intent");
        var applied = _writer.Apply(planned, selection.ByName, stopping);
        _caches.RemoveUnmanaged(cycle, selection, snapshot.Serial);
        _certificateTrust.Publish(planned.Plans, selection.ByName.Keys.ToHashSet(StringComparer.Ordinal), cycle.Now);
        cycle.Stages.Ended("write");
        // Stage 9: the audit records and the state the next cycle starts from; stage 10: finish.
        IReadOnlyList<AccountFailure> failures = [.. planned.Failures, .. applied.Failures];
        RecordChanges(cycle, source, plan, failures, applied);
        RecordState(cycle, source, plan, selection, failures, applied);
        cycle.Stages.Ended("state");
        return Finish(cycle, Report(cycle, source, plan, selection, failures, applied));
    }

    private SyncResult GuardTripped(SyncCycle cycle, AcquiredSnapshot source, SyncPlan plan, AccountSelection selection)
    {
        string why = plan.Guard.Describe();
        cycle.Records.Add(cycle.Record(AuditAction.GuardTripped, source.Snapshot!.Serial) with { Reason = "mass-removal-guard", Message = why });
        LogGuard(_logger, why);
        _acquirer.NotApplied(source);
        return Report(cycle, source, plan, selection, [], Applied.Nothing) with { Outcome = SyncOutcome.GuardTripped, Counts = SyncCounts.None };
    }

    /// <summary>The result of a cycle that got as far as a plan; the outcome follows from what happened, most serious first.</summary>
    private static SyncResult Report(SyncCycle cycle, AcquiredSnapshot source, SyncPlan plan, AccountSelection selection, IReadOnlyList<AccountFailure> failures, Applied applied)
    {
        var outcome = source.Problem is not null ? SyncOutcome.RegistryUnusable
            : failures.Count > 0 ? SyncOutcome.Partial
            : applied.StoppedEarly ? SyncOutcome.Interrupted
            : SyncOutcome.Ok;
        var counts = new SyncCounts(selection.Managed.Count, plan.Added, plan.Removed, applied.Written, plan.Rejections.Count, failures.Count, selection.Missing.Count);
        return new SyncResult(outcome, counts)
        {
            Serial = source.Snapshot!.Serial,
            RegistryProblem = source.Problem,
            Stale = source.Snapshot.ExpiresAt is { } expires && expires <= cycle.Now,
            Failures = failures,
            Missing = selection.Missing,
            Plan = plan,
        };
    }

    /// <summary>Stage 10: the trust state first (the floor stops a replay), then the cycle's _audit, status, metrics and log line.</summary>
    private SyncResult Finish(SyncCycle cycle, SyncResult result)
    {
        _acquirer.SaveTrust(cycle);
        return _recorder.Record(cycle, result);
    }
}
