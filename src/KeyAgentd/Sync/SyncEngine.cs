using KeyAgentd.Accounts;
using KeyAgentd.Audit;
using KeyAgentd.Configuration;
using KeyAgentd.Core.Planning;
using KeyAgentd.Core.Policy;
using KeyAgentd.Expand;
using KeyAgentd.Fetch;
using KeyAgentd.Homes;
using KeyAgentd.Metrics;
using KeyAgentd.State;
using Microsoft.Extensions.Logging;

namespace KeyAgentd.Sync;

/// <summary>
/// One sync cycle, as its stages: acquire snapshot → expand → select accounts → plan → guard → apply →
/// record → report. The pure core decides (expansion, planning, the guard); this class only moves
/// bytes between the registry, the files and the state directory. Fail-safe: a registry that is down,
/// invalid, rolled back or expired changes nothing except what the last-known-good snapshot itself
/// says (keys whose not_after passed still drop on schedule).
/// </summary>
public sealed partial class SyncEngine(
    KeyAgentdSettings settings,
    IRegistrySource registry,
    IAccountDatabase accounts,
    HomeKeyFiles writer,
    AuditLog audit,
    StateStore state,
    TimeProvider time,
    ILogger<SyncEngine> logger) : IDisposable
{
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);
    private readonly ExpansionMemo _memo = new();
    private readonly string _host = settings.Host.ResolvedName;

    public void Dispose() => _oneAtATime.Dispose();

    public async Task<SyncResult> RunAsync(SyncOptions options, CancellationToken stopping)
    {
        // Overlapping cycles (a SIGHUP during a timed one, a manual sync in another process) are impossible by construction.
        await _oneAtATime.WaitAsync(stopping).ConfigureAwait(false);
        try
        {
            // A dry run writes nothing and may run unprivileged, so it does not queue behind the lock.
            using var processes = options.DryRun ? null : await state.LockAsync(stopping).ConfigureAwait(false);
            return await RunLockedAsync(new SyncCycle(time.GetUtcNow(), state.LoadStatus(), _host, options), stopping).ConfigureAwait(false);
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    private async Task<SyncResult> RunLockedAsync(SyncCycle cycle, CancellationToken stopping)
    {
        if (!cycle.Options.DryRun)
        {
            // Whatever a stopped cycle left in the audit (a torn line, its unrecorded changes) goes in first.
            AuditAside(audit.Settle);
            SecureStateDirectory(cycle);
        }
        var source = await AcquireSnapshotAsync(cycle, stopping).ConfigureAwait(false);
        if (source.Snapshot is not { } snapshot)
        {
            if (!cycle.Options.DryRun)
            {
                // No snapshot at all (first start with the registry down, or every one refused): sshd
                // must still find the KRL, or it refuses every public key on the host.
                EnsureRevokedKeysExist();
            }
            return Finish(cycle, new SyncResult(SyncOutcome.RegistryUnusable, SyncCounts.None) { RegistryProblem = source.Problem });
        }
        var expansion = Expand(snapshot, cycle.Now);
        var selection = SelectAccounts(expansion.Desired);
        var planned = PlanAccounts(selection.Managed, expansion, selection.FilesBefore);
        var plan = SyncPlan.Create(planned.Plans, expansion.Desired.Rejections, settings.Safety.ToRemovalLimits(), snapshot.Serial, snapshot.RemovalApproval);
        if (cycle.Options.DryRun)
        {
            return Report(cycle, source, plan, selection, planned.Failures, Applied.Nothing) with { DryRun = true };
        }
        // Revocation always wins, guard or not: sshd refuses these keys wherever they are found.
        WriteRevokedKeys(snapshot);
        if (plan.Guard.Tripped && !cycle.Options.Force)
        {
            return Finish(cycle, GuardTripped(cycle, source, plan, selection));
        }
        IntendChanges(cycle, snapshot.Serial, plan, planned);
        var applied = Apply(planned, selection.ByName, stopping);
        RemoveUnmanagedCaches(cycle, selection, snapshot.Serial);
        IReadOnlyList<AccountFailure> failures = [.. planned.Failures, .. applied.Failures];
        RecordChanges(cycle, source, plan, failures, applied);
        RecordState(cycle, source, plan, selection, failures, applied);
        return Finish(cycle, Report(cycle, source, plan, selection, failures, applied));
    }

    private Expansion Expand(Core.Snapshot.RegistrySnapshot snapshot, DateTimeOffset now)
    {
        var desired = _memo.Expand(snapshot, new KeyPolicy(settings.Policy.ToPolicyOptions(), time.LocalTimeZone), now);
        return new Expansion(desired, Withdrawals.From(snapshot.Revoked, desired.Rejections));
    }

    private AccountSelection SelectAccounts(Core.Snapshot.DesiredState desired)
    {
        var managedBefore = new ManagedSetStore(state.Directory).Load();
        var files = new ManagedSetStore(state.Directory, ManagedSetStore.FileAccountsFileName);
        var (managed, missing) = AccountSelector.Select(desired.Accounts.Keys, settings.Accounts.Include, settings.Accounts.Exclude, managedBefore, accounts);
        var filesBefore = FilesBefore(files, managedBefore);
        return new AccountSelection(managed, missing, managedBefore, filesBefore ?? managedBefore) { FilesBeforeDamaged = filesBefore is null };
    }

    /// <summary>
    /// file-accounts.json as recorded; before it existed, every managed account. Null when it is damaged:
    /// it only ever lists homes to clean, so a damaged one must not stop the cycle (and every revocation
    /// with it); read as every managed account, the safe superset, and rewritten.
    /// </summary>
    private IReadOnlySet<string>? FilesBefore(ManagedSetStore files, IReadOnlySet<string> managedBefore)
    {
        try
        {
            return files.Exists ? files.Load() : managedBefore;
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            LogFileAccountsDamaged(logger, e.Message);
            return null;
        }
    }

    private SyncResult GuardTripped(SyncCycle cycle, SnapshotSource source, SyncPlan plan, AccountSelection selection)
    {
        string why = plan.Guard.Describe();
        cycle.Records.Add(cycle.Record(AuditActions.GuardTripped, source.Snapshot!.Serial) with { Reason = "mass-removal-guard", Message = why });
        LogGuard(logger, why);
        return Report(cycle, source, plan, selection, [], Applied.Nothing) with { Outcome = SyncOutcome.GuardTripped, Counts = SyncCounts.None };
    }

    /// <summary>The result of a cycle that got as far as a plan; the outcome follows from what happened, most serious first.</summary>
    private static SyncResult Report(SyncCycle cycle, SnapshotSource source, SyncPlan plan, AccountSelection selection, IReadOnlyList<AccountFailure> failures, Applied applied)
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

    /// <summary>Audit first, then status and metrics: a cycle is not reported as done before its records are on disk.</summary>
    private SyncResult Finish(SyncCycle cycle, SyncResult result)
    {
        string summary = SyncSummary.Render(result);
        SaveTrust(cycle);
        // Even with nothing to record: it removes the cycle's intent, whose outcome is now known.
        audit.Append(cycle.Records);
        var status = cycle.Status;
        status.LastAttempt = cycle.Now;
        status.Outcome = result.Outcome.ToName();
        status.Message = summary;
        status.DurationSeconds = cycle.Clock.Elapsed.TotalSeconds;
        status.Registry = registry.Location;
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
