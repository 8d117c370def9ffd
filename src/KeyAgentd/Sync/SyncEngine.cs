using System.Diagnostics;
using KeyAgentd.Accounts;
using KeyAgentd.Audit;
using KeyAgentd.Cli;
using KeyAgentd.Configuration;
using KeyAgentd.Core.Planning;
using KeyAgentd.Core.Policy;
using KeyAgentd.Core.Registry;
using KeyAgentd.Files;
using KeyAgentd.Metrics;
using KeyAgentd.Registry;
using KeyAgentd.State;
using Microsoft.Extensions.Logging;

namespace KeyAgentd.Sync;

/// <summary>
/// One sync cycle: fetch → validate → expand → plan → guard → write → audit → status. The pure core
/// decides; this class only moves bytes between the registry, the files and the state directory.
/// Fail-safe: a registry that is down, invalid, rolled back or expired changes nothing except what the
/// last-known-good snapshot itself says (keys whose not_after passed still drop on schedule).
/// </summary>
public sealed partial class SyncEngine(
    KeyAgentdSettings settings,
    IRegistrySource registry,
    IAccountDatabase accounts,
    SecureKeyFileWriter writer,
    AuditLog audit,
    StateStore state,
    TimeProvider time,
    ILogger<SyncEngine> logger)
{
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);
    private readonly ExpansionMemo _memo = new();

    public async Task<SyncResult> RunAsync(SyncOptions options, CancellationToken stopping)
    {
        // Overlapping cycles (a SIGHUP during a timed one, a manual sync in another process) are impossible by construction.
        await _oneAtATime.WaitAsync(stopping).ConfigureAwait(false);
        try
        {
            // A dry run writes nothing and may run unprivileged, so it does not queue behind the lock.
            using var processes = options.DryRun ? null : await state.LockAsync(stopping).ConfigureAwait(false);
            return await RunLockedAsync(options, stopping).ConfigureAwait(false);
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    private async Task<SyncResult> RunLockedAsync(SyncOptions options, CancellationToken stopping)
    {
        var clock = Stopwatch.StartNew();
        var now = time.GetUtcNow();
        var status = state.LoadStatus();
        var records = new List<AuditRecord>();
        string host = System.Net.Dns.GetHostName();

        var source = await ObtainSnapshotAsync(status, now, records, host, stopping).ConfigureAwait(false);
        if (source.Snapshot is null)
        {
            return Finish(options, status, records, clock, now, new SyncResult(ExitCodes.RegistryUnusable, "registry-unusable",
                $"registry unusable and no last-known-good snapshot: nothing changed ({source.Problem})", null));
        }
        var snapshot = source.Snapshot;

        var policy = new KeyPolicy(settings.Policy.ToPolicyOptions(), time.LocalTimeZone);
        var desired = _memo.Expand(snapshot, policy, now);
        var managedBefore = new ManagedSetStore(state.Directory).Load();
        var (managed, missing) = AccountSelector.Select(desired.Accounts.Keys, settings.Accounts.Include, settings.Accounts.Exclude, managedBefore, accounts);
        var mode = settings.Accounts.Mode;

        var refused = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var unsafeFiles = new Dictionary<string, FileRefusal>(StringComparer.Ordinal);
        var byName = managed.ToDictionary(a => a.Name, StringComparer.Ordinal);
        var plans = new List<AccountPlan>();
        foreach (var (account, plan, refusal, unsafeFile) in PlanAll(managed, desired, mode))
        {
            if (refusal is not null)
            {
                refused[account.Name] = refusal;
                continue;
            }
            plans.Add(plan!);
            if (unsafeFile is not null)
            {
                unsafeFiles[account.Name] = unsafeFile;
            }
        }
        var rejections = snapshot.Rejections.Concat(desired.Rejections).ToList();
        var syncPlan = SyncPlan.Create(plans, rejections, settings.Safety.MaxRemovalPercent);

        if (options.DryRun)
        {
            string diff = syncPlan.RenderDiff();
            int exit = source.Problem is not null ? ExitCodes.RegistryUnusable : syncPlan.Guard.Tripped ? ExitCodes.MassRemovalGuard : refused.Count > 0 ? ExitCodes.Failed : ExitCodes.Ok;
            string notes = string.Concat(refused.Select(r => $"refused {r.Key}: {r.Value}\n")) + string.Concat(missing.Select(m => $"missing {m}: no such local account\n"));
            return new SyncResult(exit, "dry-run", diff + notes, syncPlan);
        }

        if (syncPlan.Guard.Tripped && !options.Force)
        {
            records.Add(Record(AuditActions.GuardTripped, now, host, snapshot.Serial) with { Reason = "mass-removal-guard", Message = syncPlan.Guard.Message });
            LogGuard(logger, syncPlan.Guard.Message);
            return Finish(options, status, records, clock, now, new SyncResult(ExitCodes.MassRemovalGuard, "guard-tripped",
                syncPlan.Guard.Message, syncPlan));
        }

        bool stoppedEarly = false;
        var accountKeys = new SortedDictionary<string, int>(StringComparer.Ordinal);
        int written = 0;
        var outcomes = ApplyAll(plans, byName, unsafeFiles, stopping);
        for (int i = 0; i < plans.Count; i++)
        {
            var plan = plans[i];
            if (outcomes[i] is not { } done)
            {
                // SIGTERM: the writes in progress finished; the rest waits for the next start.
                stoppedEarly = true;
                continue;
            }
            if (done.Failure is not null)
            {
                refused[plan.Account] = done.Failure;
                continue;
            }
            if (done.Written)
            {
                written++;
            }
            if (done.Replaced is { } replaced)
            {
                records.Add(Record(AuditActions.FileReplaced, now, host, snapshot.Serial) with
                {
                    Account = plan.Account,
                    Reason = replaced.Code,
                    Message = $"{replaced.Message}: replaced by a regular file without reading it",
                });
            }
            accountKeys[plan.Account] = done.KeyCount;
            if (plan.Mode != OwnershipMode.Report)
            {
                AddChangeRecords(records, plan, now, host, snapshot.Serial);
            }
            else if (plan.Changed)
            {
                AddChangeRecords(records, plan, now, host, snapshot.Serial, "report mode: drift not corrected");
            }
        }

        // Rejections and missing accounts are news once per snapshot, not every minute.
        if (source.Fresh)
        {
            records.AddRange(rejections.Select(r => Record(AuditActions.KeyRejected, now, host, snapshot.Serial) with
            {
                Account = r.Account,
                Owner = r.Owner,
                Label = r.Label,
                Fingerprint = r.Fingerprint,
                Reason = r.Verdict.Code,
                Message = r.Verdict.Message,
                Line = r.KeyText,
            }));
            records.AddRange(missing.Select(m => Record(AuditActions.AccountMissing, now, host, snapshot.Serial) with { Account = m, Reason = "account-missing", Message = "no such local account" }));
        }
        foreach (var (name, why) in refused.Where(r => !status.AccountsRefused.TryGetValue(r.Key, out var before) || before != r.Value))
        {
            records.Add(Record(AuditActions.AccountRefused, now, host, snapshot.Serial) with { Account = name, Reason = why.Split(':')[0], Message = why });
            LogRefused(logger, name, why);
        }

        // The managed set only grows: an account dropped by the registry stays managed so its keys go.
        new ManagedSetStore(state.Directory).Save(managed.Select(a => a.Name).Concat(managedBefore.Intersect(missing)));
        if (source.Fresh && source.Content is not null)
        {
            state.SaveSnapshot(source.Content);
            _memo.RememberSnapshot(source.Content, snapshot);
            status.ETag = source.ETag;
            status.SnapshotAcceptedAt = now;
        }
        status.SnapshotSerial = snapshot.Serial;
        status.SnapshotIssuedAt = snapshot.IssuedAt;
        status.SnapshotExpiresAt = snapshot.ExpiresAt;
        status.AccountKeys = accountKeys;
        status.AccountsRefused = refused;
        status.AccountsMissing = [.. missing];
        status.RejectedKeys = new SortedDictionary<string, int>(rejections.GroupBy(r => r.Verdict.Code).ToDictionary(g => g.Key, g => g.Count()), StringComparer.Ordinal);

        int exitCode = source.Problem is not null ? ExitCodes.RegistryUnusable : refused.Count > 0 || stoppedEarly ? ExitCodes.Failed : ExitCodes.Ok;
        string outcome = source.Problem is not null ? "registry-unusable" : refused.Count > 0 ? "partial" : stoppedEarly ? "interrupted" : "ok";
        int added = plans.Sum(p => p.Mode == OwnershipMode.Report ? 0 : p.Added.Count);
        int removed = plans.Sum(p => p.Mode == OwnershipMode.Report ? 0 : p.RemovedKeyCount);
        string summary = $"serial {snapshot.Serial}: {managed.Count} account(s), +{added} -{removed} key(s), {written} file(s) written, {rejections.Count} rejected, {refused.Count} refused, {missing.Count} missing"
            + (source.Problem is not null ? $"; registry unusable ({source.Problem}), kept last-known-good" : "")
            + (status.IsStale(now) ? "; STALE snapshot (past expires_at)" : "");
        return Finish(options, status, records, clock, now, new SyncResult(exitCode, outcome, summary, syncPlan));
    }

    private SyncResult Finish(SyncOptions options, SyncStatus status, List<AuditRecord> records, Stopwatch clock, DateTimeOffset now, SyncResult result)
    {
        if (options.DryRun)
        {
            return result;
        }
        // Audit first: a cycle is not reported as done before its record is on disk.
        if (records.Count > 0)
        {
            audit.Append(records);
        }
        status.LastAttempt = now;
        status.Outcome = result.Outcome;
        status.ExitCode = result.ExitCode;
        status.Message = result.Summary;
        status.DurationSeconds = clock.Elapsed.TotalSeconds;
        status.Registry = registry.Location;
        if (result.ExitCode == ExitCodes.Ok)
        {
            status.LastSuccess = now;
        }
        state.SaveStatus(status);
        if (settings.Metrics.TextfilePath is { } metricsPath)
        {
            MetricsWriter.Write(metricsPath, status, now);
        }
        LogCycle(logger, result.Outcome, status.DurationSeconds, result.Summary);
        return result;
    }
}
