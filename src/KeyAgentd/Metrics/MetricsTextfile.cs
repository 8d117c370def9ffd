using System.Globalization;
using System.Text;
using KeyAgentd.State;
using KeyAgentd.Sync;
using KeyAgentd.Verify;

namespace KeyAgentd.Metrics;

/// <summary>
/// Renders the status as Prometheus text exposition format, for node_exporter's textfile collector
/// (written atomically after every cycle so the collector never reads half a file).
/// </summary>
public static class MetricsTextfile
{
    public static string Render(SyncStatus status, DateTimeOffset now)
    {
        var text = new StringBuilder();
        Gauge(text, "keyagentd_last_success_timestamp_seconds", "Unix time of the last successful sync cycle.", status.LastSuccess?.ToUnixTimeMilliseconds() / 1000.0);
        Gauge(text, "keyagentd_last_attempt_timestamp_seconds", "Unix time of the last sync cycle.", status.LastAttempt?.ToUnixTimeMilliseconds() / 1000.0);
        Gauge(text, "keyagentd_sync_duration_seconds", "Wall time of the last sync cycle.", status.DurationSeconds);
        Gauge(text, "keyagentd_snapshot_serial", "Serial of the registry snapshot in use.", status.SnapshotSerial);
        Gauge(text, "keyagentd_snapshot_age_seconds", "Age of the snapshot in use (now - issued_at).", status.SnapshotAge(now)?.TotalSeconds);
        Gauge(text, "keyagentd_snapshot_stale", "1 when the snapshot in use is past its expires_at.", status.IsStale(now) ? 1 : 0);
        Gauge(text, "keyagentd_snapshot_signature_valid", "1 when the snapshot in use carries valid signatures from enough trusted signers.", status.SignatureVerdict == "accepted" ? 1 : 0);
        Gauge(text, "keyagentd_registry_unauthenticated", "1 when nothing authenticates the registry (no allowed_signers file, or Registry:Signatures off).", status.Unauthenticated ? 1 : 0);
        Gauge(text, "keyagentd_accounts_refused", "Accounts whose files were refused (unsafe ownership or modes, I/O errors).", status.AccountFailures.Count);
        Gauge(text, "keyagentd_accounts_missing", "Accounts named by the registry that do not exist on this host.", status.AccountsMissing.Count);
        Gauge(text, "keyagentd_accounts_cache_unwritten", "Accounts whose keyagentd-keys cache could not be written in the last cycle (the helper serves older keys).", status.AccountFailures.Values.Count(f => f.Code == AccountFailure.CacheWriteFailed));
        Gauge(text, "keyagentd_signatures_enforced", "1 when Registry:Signatures is enforce (an unsigned or badly signed snapshot is refused).", status.Signatures == SignatureMode.Enforce.ToName() ? 1 : 0);

        Gauge(text, "keyagentd_trust_root_version", "Version of the trust root in use (absent on a host that uses an allowed_signers file).", status.TrustRoot?.Version);
        Gauge(text, "keyagentd_trust_root_expiry_timestamp_seconds", "Unix time at which the trust root in use expires.", status.TrustRoot?.ExpiresAt.ToUnixTimeSeconds());
        Gauge(text, "keyagentd_trust_root_expired", "1 when the newest trust root reached has expired: no new snapshot is applied until a successor is published.", status.TrustRoot is { } root ? (root.Expired ? 1 : 0) : null);
        Header(text, "keyagentd_trust_root_problem", "Why the last cycle refused a trust root version (1 for its reason; absent when it refused none).", "gauge");
        if (status.TrustRootProblem is { } rootProblem)
        {
            Sample(text, "keyagentd_trust_root_problem", $"reason=\"{Escape(rootProblem)}\"", 1);
        }
        Header(text, "keyagentd_trust_root_refusals_total", "Cycles that refused a trust root version, by reason (root-threshold-not-met, root-rollback, root-expired...).", "counter");
        foreach (var (reason, count) in status.TrustRootRefusals)
        {
            Sample(text, "keyagentd_trust_root_refusals_total", $"reason=\"{Escape(reason)}\"", count);
        }

        Header(text, "keyagentd_last_sync_outcome", "Outcome of the last sync cycle (1 for the current outcome).", "gauge");
        Sample(text, "keyagentd_last_sync_outcome", $"outcome=\"{Escape(status.Outcome)}\"", 1);
        Header(text, "keyagentd_account_keys", "Keys delivered to each managed account.", "gauge");
        foreach (var (account, count) in status.AccountKeys)
        {
            Sample(text, "keyagentd_account_keys", $"account=\"{Escape(account)}\"", count);
        }
        Header(text, "keyagentd_rejected_keys", "Registry keys rejected by policy in the last cycle, by reason.", "gauge");
        foreach (var (reason, count) in status.RejectedKeys)
        {
            Sample(text, "keyagentd_rejected_keys", $"reason=\"{Escape(reason)}\"", count);
        }
        Header(text, "keyagentd_registry_errors_total", "Registry fetch, signature and validation failures, by kind (a refusal reason such as signature-invalid or audience-mismatch).", "counter");
        foreach (var (kind, count) in status.RegistryErrors)
        {
            Sample(text, "keyagentd_registry_errors_total", $"kind=\"{Escape(kind)}\"", count);
        }
        Header(text, "keyagentd_registry_problem", "Why the last cycle could not use the registry (1 for the current kind; absent when it could).", "gauge");
        if (status.RegistryProblem is { } problem)
        {
            Sample(text, "keyagentd_registry_problem", $"kind=\"{Escape(problem)}\"", 1);
        }
        return text.ToString();
    }

    private static void Gauge(StringBuilder text, string name, string help, double? value)
    {
        Header(text, name, help, "gauge");
        if (value is { } v)
        {
            text.Append(name).Append(' ').Append(v.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
        }
    }

    private static void Header(StringBuilder text, string name, string help, string type) =>
        text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n')
            .Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');

    private static void Sample(StringBuilder text, string name, string labels, double value) =>
        text.Append(name).Append('{').Append(labels).Append("} ").Append(value.ToString("R", CultureInfo.InvariantCulture)).Append('\n');

    private static string Escape(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
