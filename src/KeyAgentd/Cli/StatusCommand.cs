using System.CommandLine;
using System.Text.Json;
using KeyAgentd.Configuration;
using KeyAgentd.Core;
using KeyAgentd.State;
using KeyAgentd.Sync;

namespace KeyAgentd.Cli;

/// <summary>
/// `keyagentd status [--json]`: the last cycle, the snapshot in use, per-account key counts; exit 1 if stale or failed.
/// The status file's texts (messages, registry errors, refusals) can quote registry and file content, so they are printed escaped.
/// </summary>
internal static class StatusCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "print the status document as JSON" };
        var command = new Command("status", "show the last sync and the snapshot in use") { json };
        command.SetAction(parse => CommonOptions.WithSettings(parse, settings =>
            Run(new StateStore(settings.State.Directory), parse.GetValue(json), DateTimeOffset.UtcNow, Console.Out, settings.Audit.Path, settings.Registry)));
        return command;
    }

    /// <param name="auditPath">Audit:Path, whose recent records also hold the rollback floor up; null reads only the state directory.</param>
    /// <param name="registry">The daemon's Registry settings: Url (is one configured?) and PollInterval (is a cycle overdue?); null judges neither.</param>
    public static int Run(StateStore state, bool json, DateTimeOffset now, TextWriter output, string? auditPath = null, RegistrySettings? registry = null)
    {
        var status = state.LoadStatus();
        var trust = HostTrust.Read(state, auditPath ?? "", status, auditPath is null ? Audit.AuditTrustEvidence.None : null);
        var overdue = registry is null ? null : CycleDeadline.Overdue(status, now, registry);
        bool stale = status.IsStale(now) || overdue is not null;
        bool healthy = status.Outcome == SyncOutcome.Ok.ToCode() && !stale && status.Damaged is null && !trust.File.IsDamaged && status.ConfigReload is not { IsRefused: true };
        if (json)
        {
            using var document = JsonDocument.Parse(JsonSerializer.SerializeToUtf8Bytes(status, StateJsonContext.Default.SyncStatus));
            var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = SafeJsonEncoder.Instance }))
            {
                writer.WriteStartObject();
                foreach (var property in document.RootElement.EnumerateObject())
                {
                    property.WriteTo(writer);
                }
                writer.WriteBoolean("stale", stale);
                writer.WriteBoolean("cycle_overdue", overdue is not null);
                if (status.Damaged is { } damaged)
                {
                    writer.WriteString("status_damaged", damaged);
                }
                WriteTrust(writer, trust);
                writer.WriteBoolean("healthy", healthy);
                if (status.SnapshotAge(now) is { } age)
                {
                    writer.WriteNumber("snapshot_age_seconds", Math.Round(age.TotalSeconds));
                }
                writer.WriteEndObject();
            }
            output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
            return healthy ? ExitCodes.Ok : ExitCodes.Failed;
        }
        if (status.Damaged is { } damagedStatus)
        {
            output.WriteLine($"STATUS DAMAGED: {SafeText.Escape(damagedStatus, 400)}");
        }
        output.WriteLine($"last sync:    {Describe(status.LastAttempt, now)} — {SafeText.Escape(status.Outcome)}");
        if (status.Message is not null)
        {
            output.WriteLine($"              {SafeText.Escape(status.Message)}");
        }
        if (status.LastAttempt is null && registry is not null)
        {
            output.WriteLine(string.IsNullOrEmpty(registry.Url)
                ? "              Registry:Url is not set: set it in /etc/keyagentd/keyagentd.json (or --config FILE), then keyagentd sync --dry-run and systemctl start keyagentd"
                : "              no cycle has run yet: systemctl start keyagentd (or keyagentd sync)");
        }
        if (overdue is not null)
        {
            output.WriteLine($"              STALE: no cycle completed within {CycleDeadline.Describe(CycleDeadline.Allowance(registry!))} (twice Registry:PollInterval {CycleDeadline.Describe(registry!.PollInterval)}, plus Registry:Jitter): the daemon is not syncing; check systemctl status keyagentd and journalctl -u keyagentd");
        }
        output.WriteLine($"last success: {Describe(status.LastSuccess, now)}");
        if (status.ConfigReload is { IsRefused: true } refused)
        {
            output.WriteLine($"config:       reload REFUSED {Describe(refused.At, now)}: {SafeText.Escape(refused.Message, 600)}; the daemon runs the configuration it had: fix the file, then `systemctl reload keyagentd`");
        }
        output.WriteLine($"registry:     {SafeText.Escape(status.Registry ?? "(never polled)")}{(status.LastRegistryError is { } e ? $" — last error: {SafeText.Escape(e)}" : "")}");
        output.WriteLine(status.SnapshotSerial is { } serial
            ? $"snapshot:     serial {serial}, issued {Describe(status.SnapshotIssuedAt, now)}, expires {status.SnapshotExpiresAt?.ToString("u", System.Globalization.CultureInfo.InvariantCulture) ?? "never"}{(stale ? " — STALE: past expires_at, still in use, fix the registry" : "")}"
            : "snapshot:     none accepted yet");
        output.WriteLine($"signatures:   {DescribeSignatures(status)}");
        foreach (string problem in status.TrustRootsProblems)
        {
            output.WriteLine($"  trust roots: {SafeText.Escape(problem, 400)}");
        }
        WriteTrustRoot(output, status, now);
        output.WriteLine($"trust:        {SafeText.Escape(trust.Describe(), 600)}");
        foreach (var signer in status.SnapshotSigners)
        {
            output.WriteLine($"  signed by {SafeText.Escape(signer.Principals, 200)} ({signer.KeyType} {signer.Fingerprint})");
        }
        output.WriteLine($"accounts:     {status.AccountKeys.Count} managed, {status.AccountFailures.Count} refused, {status.AccountsMissing.Count} missing");
        foreach (var (account, keys) in status.AccountKeys)
        {
            output.WriteLine($"  {SafeText.Escape(account),-24} {keys} key(s)");
        }
        foreach (var (account, why) in status.AccountFailures)
        {
            output.WriteLine($"  {SafeText.Escape(account),-24} REFUSED {why.Code}: {SafeText.Escape(why.Message, 300)}");
        }
        foreach (var (reason, count) in status.RejectedKeys)
        {
            output.WriteLine($"rejected:     {count} × {SafeText.Escape(reason)}");
        }
        return healthy ? ExitCodes.Ok : ExitCodes.Failed;
    }

    /// <summary>The trust root in use: version, expiry, who signs the next root and who signs snapshots, the last root refused.</summary>
    private static void WriteTrustRoot(TextWriter output, SyncStatus status, DateTimeOffset now)
    {
        if (status.TrustRoot is { } root)
        {
            string expiry = root.Expired || root.ExpiresAt <= now
                ? $"EXPIRED {Describe(root.ExpiresAt, now)}: no new snapshot is applied until version {root.Version + 1} is published (keys in place stay)"
                : $"expires {root.ExpiresAt.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z (in {Ago(root.ExpiresAt - now)})";
            output.WriteLine($"trust root:   version {root.Version}, {expiry}");
            output.WriteLine($"  root keys:  {root.RootThreshold} of {SafeText.Escape(string.Join(", ", root.RootPrincipals), 400)} sign the next version; this one signed by {SafeText.Escape(string.Join(", ", root.SignedBy), 300)}");
            output.WriteLine($"  snapshots:  {root.SnapshotThreshold} distinct signer(s) of:");
            foreach (var signer in root.SnapshotSigners)
            {
                output.WriteLine($"    {SafeText.Escape(signer.Principals, 200)} ({signer.KeyType} {signer.Fingerprint})");
            }
        }
        if (status.TrustRootLastRefusal is { } refused)
        {
            output.WriteLine($"  root refused {Describe(refused.At, now)}: {SafeText.Escape(refused.Reason)}{(refused.Version is { } v ? $" (version {v})" : "")}: {SafeText.Escape(refused.Message, 600)}");
        }
    }

    /// <summary>The rollback floor and sticky enforcement, as the next cycle will find them (before its last-known-good is counted).</summary>
    private static void WriteTrust(Utf8JsonWriter writer, HostTrust trust)
    {
        writer.WriteString("trust_state", trust.File switch { { IsDamaged: true } => "damaged", { IsMissing: true } => "missing", _ => "ok" });
        if (trust.File.Problem is { } problem)
        {
            writer.WriteString("trust_state_problem", problem);
        }
        if (trust.VerifiedFloor is { } floor)
        {
            writer.WriteNumber("rollback_floor", floor.Serial);
        }
        else
        {
            writer.WriteNull("rollback_floor");
        }
        if (trust.File.State?.UnverifiedFloor is { } unverified)
        {
            writer.WriteNumber("unverified_floor", unverified.Serial);
        }
        writer.WriteBoolean("signatures_required", trust.SignaturesRequired);
    }

    private static string DescribeSignatures(SyncStatus status) => status switch
    {
        { Unauthenticated: true } => "UNAUTHENTICATED registry: no signatures are checked (install Registry:AllowedSignersFile; \"Signing the registry\" in docs/security-model.md)",
        { Signatures: null } => "(not known yet)",
        _ => $"{status.Signatures}; snapshot in use: {status.SignatureVerdict ?? "unchecked"}" +
             (status.SnapshotSha256 is { } sha ? $", sha256 {sha}" : ""),
    };

    private static string Describe(DateTimeOffset? when, DateTimeOffset now) => when is { } w
        ? $"{w.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z ({Ago(now - w)} ago)"
        : "never";

    private static string Ago(TimeSpan span) => CycleDeadline.Describe(span);
}
