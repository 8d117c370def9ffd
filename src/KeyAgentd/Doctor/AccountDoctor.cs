using KeyAgentd.Accounts;
using KeyAgentd.Configuration;
using KeyAgentd.Core.AuthorizedKeys;
using KeyAgentd.Core.Planning;
using KeyAgentd.Core.Policy;
using KeyAgentd.Core.Snapshot;
using KeyAgentd.Homes;
using KeyAgentd.State;

namespace KeyAgentd.Doctor;

/// <summary>
/// Explains why a login as USER may fail, in the order sshd decides: the account, the path from /
/// to authorized_keys as StrictModes sees it, the keys and their verdicts, what keyagentd manages,
/// and sshd's effective configuration for that user. Reads only; never creates or fixes anything.
/// </summary>
public sealed class AccountDoctor(KeyAgentdSettings settings, IAccountDatabase accounts, HomeKeyFiles writer, StateStore state, Func<string, SshdConfigProbe.Result?> sshdProbe)
{
    /// <param name="certificate">With `--certificate FILE`: the file's text, judged as sshd would judge it for this account.</param>
    public DoctorReport Examine(string user, DateTimeOffset now, TimeZoneInfo localZone, string? certificate = null)
    {
        var report = new DoctorReport();
        report.Section($"account {user}");
        if (!AccountName.IsValid(user))
        {
            report.Fail($"\"{user}\" is not a valid account name");
            return report;
        }
        var account = accounts.Find(user);
        if (account is null)
        {
            report.Fail($"no such account ({(settings.Accounts.PasswdFile is { } f ? "passwd file " + f : "NSS")}): sshd logs \"Invalid user {user}\"");
            return report;
        }
        report.Ok($"uid {account.Uid}, gid {account.Gid}, home {account.Home}, shell {account.Shell}");
        if (account.Shell.EndsWith("/nologin", StringComparison.Ordinal) || account.Shell.EndsWith("/false", StringComparison.Ordinal))
        {
            report.Warn($"shell {account.Shell}: the key is accepted but an interactive login ends at once (fine for sftp/forced commands)");
        }

        report.Section("home directory as sshd StrictModes sees it");
        foreach (var finding in writer.Inspect(account).Findings)
        {
            string where = $"{finding.Path} (owner {finding.OwnerUid?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"}, mode {finding.Mode ?? "?"})";
            switch (finding.Severity)
            {
                case FindingSeverity.Ok:
                    report.Ok(where);
                    break;
                case FindingSeverity.Warning:
                    report.Warn($"{where}: {finding.Message}");
                    break;
                default:
                    report.Fail($"{where}: {finding.Message}");
                    if (finding.SshdLog is { } log)
                    {
                        report.Detail($"sshd logs: \"{log}\"");
                    }
                    break;
            }
        }

        ExamineKeys(report, account, now, localZone);
        ExamineManagement(report, account, now);
        CertificateDoctor.Examine(report, KeyLines(account), certificate, HostRevocations.Read(state), now, localZone);
        ExamineSshd(report, account);
        TrustRootsDoctor.Examine(report, settings, state, now);
        return report;
    }

    private void ExamineKeys(DoctorReport report, AccountInfo account, DateTimeOffset now, TimeZoneInfo localZone)
    {
        report.Section("~/.ssh/authorized_keys");
        var read = writer.ReadAuthorizedKeys(account);
        if (read.Status == FileReadStatus.Refused)
        {
            report.Fail($"not read: {read.Refusal!.Code}: {read.Refusal.Message}");
            return;
        }
        if (read.Status == FileReadStatus.Missing)
        {
            report.Info("absent" + (settings.Delivery.AuthorizedKeysFiles ? "" : " (fine: Delivery:AuthorizedKeysFiles is false, keys come from keyagentd-keys)"));
            return;
        }
        var policy = new KeyPolicy(settings.Policy.ToPolicyOptions(), localZone);
        int keys = 0;
        foreach (var line in AuthorizedKeysFile.Read(read.Text!).Where(l => l.Kind is AuthorizedKeyLineKind.Key or AuthorizedKeyLineKind.Invalid))
        {
            // A cert-authority line is judged as keyagentd judged its grant: the CA key by the policy, its
            // cert-authority and principals options being keyagentd's own (the section below shows it whole).
            var verdict = line.IsKey && line.Options.Contains("cert-authority") ? policy.EvaluateKey(line.Key!) : policy.Evaluate(line, now);
            string what = line.Key is { } key ? $"line {line.LineNumber}: {key.Type.DisplayName} {key.Bits} {key.Sha256Fingerprint} {line.Comment}" : $"line {line.LineNumber}";
            if (verdict.Accepted)
            {
                keys++;
                report.Ok(what);
            }
            else if (line.Key?.TypeName == "ssh-dss")
            {
                // Not a policy nuance: OpenSSH 7.0+ refuses DSA by default and 9.8 removed it, so it is no key at all.
                report.Fail($"{what}: {verdict.Code}: sshd (OpenSSH 7.0 and later) refuses ssh-dss keys; fix: ssh-keygen -t ed25519, and register the new key");
            }
            else if (line.IsKey || (line.Key is not null && line.Error == ReasonCode.NeedsConversion))
            {
                // The second case is an rsa-sha2-256/512 type token: sshd reads the key as ssh-rsa.
                keys++;
                report.Warn($"{what}: {verdict.Code}: {verdict.Message} (sshd may still accept it; keyagentd would not deliver it)");
                if (line.Suggestion is { } canonical)
                {
                    report.Detail($"fix: {canonical}");
                }
            }
            else
            {
                report.Fail($"{what}: sshd skips this line: {verdict.Code}: {verdict.Message}");
                if (line.Suggestion is { } fix)
                {
                    report.Detail($"fix: {fix}");
                }
            }
        }
        if (keys == 0 && !settings.Delivery.AuthorizedKeysFiles)
        {
            report.Info("no key in the file (fine: Delivery:AuthorizedKeysFiles is false, keys come from keyagentd-keys)");
        }
        else if (keys == 0)
        {
            report.Fail("no usable key in the file: sshd answers \"Permission denied (publickey)\"");
        }
        ExamineUnmaintained(report, read.Text!, keys);
    }

    /// <summary>
    /// A file that carries keyagentd's mark (the exclusive header or the block's markers) while file delivery is
    /// off: nothing keeps it in step with the registry, and sshd still honours every key in it.
    /// </summary>
    private void ExamineUnmaintained(DoctorReport report, string text, int keys)
    {
        if (settings.Delivery.AuthorizedKeysFiles)
        {
            return;
        }
        bool marked = AuthorizedKeysFile.Read(text).Any(l => l.Kind == AuthorizedKeyLineKind.Comment && AuthorizedKeysRenderer.IsOwnMarker(l.Raw));
        if (!marked)
        {
            return;
        }
        string what = "carries keyagentd's header but is no longer maintained (Delivery:AuthorizedKeysFiles is false)";
        if (keys == 0)
        {
            report.Warn($"the file {what}");
            return;
        }
        report.Fail($"the file {what}: sshd still accepts its {keys} key(s), and a key the registry withdraws stays here");
        report.Detail("fix: run keyagentd sync (it takes keyagentd's lines out once, audited as delivery-off), or remove them by hand");
    }

    /// <summary>
    /// The lines sshd reads for the account: the helper cache keyagentd serves (the same lines it writes to
    /// authorized_keys), or authorized_keys itself when there is no cache.
    /// </summary>
    private string? KeyLines(AccountInfo account)
    {
        if (state.ReadCache(account.Name) is { } cache)
        {
            Core.HelperCache.CacheIndex.TrySplit(cache, out cache);
            return cache;
        }
        var read = writer.ReadAuthorizedKeys(account);
        return read.Status == FileReadStatus.Ok ? read.Text : null;
    }

    private void ExamineManagement(DoctorReport report, AccountInfo account, DateTimeOffset now)
    {
        report.Section("keyagentd");
        var status = state.LoadStatus();
        if (status.Damaged is { } damaged)
        {
            report.Warn(damaged);
        }
        ExamineLastSync(report, status, now);
        ExamineTrust(report, status);
        if (status.AccountFailures.TryGetValue(account.Name, out var why))
        {
            report.Fail($"the last sync refused this account: {why.Code}: {why.Message}");
        }
        else if (status.AccountKeys.TryGetValue(account.Name, out int count))
        {
            report.Ok($"managed ({settings.Accounts.Mode.ToName()}), {count} key(s) from registry serial {status.SnapshotSerial}, last sync {status.LastAttempt:u} {status.Outcome}");
        }
        else
        {
            report.Info("not managed by keyagentd (not in the registry or Accounts:Include)");
        }
        string? cache = state.ReadCache(account.Name);
        if (cache is not null)
        {
            report.Info($"helper cache {state.KeysDirectory}/{account.Name}: {AuthorizedKeyLineParser.ParseAll(cache).Count(l => l.IsKey)} key(s) for keyagentd-keys");
        }
        foreach (string problem in state.HelperPathProblems(account.Name))
        {
            // With file delivery sshd reads authorized_keys; the cache matters only if the helper is configured as well.
            string text = $"keyagentd-keys serves no cache under it: {problem}";
            if (settings.Delivery.AuthorizedKeysFiles)
            {
                report.Warn(text);
            }
            else
            {
                report.Fail(text);
            }
            report.Detail("fix: the next sync repairs the state directory, keys/ and the cache; a directory above them: chown root and chmod go-w");
        }
    }

    /// <summary>
    /// The last cycle as `status` reports it: what USER has now is what a failed or missing cycle left
    /// behind (a new key never arrives, a removed one stays), so a failure is a problem of this login too.
    /// </summary>
    private void ExamineLastSync(DoctorReport report, SyncStatus status, DateTimeOffset now)
    {
        if (status.Outcome == Sync.SyncOutcomes.NeverRun)
        {
            report.Warn($"{DoctorCode.NeverSynced.ToCode()}: no sync has run on this host" + (string.IsNullOrEmpty(settings.Registry.Url)
                ? ": Registry:Url is not set (set it in the configuration, then keyagentd sync --dry-run; systemctl start keyagentd)"
                : ": systemctl start keyagentd, or keyagentd sync"));
            return;
        }
        if (status.Outcome != Sync.SyncOutcomes.ToCode(Sync.SyncOutcome.Ok))
        {
            report.Fail($"{DoctorCode.LastSyncFailed.ToCode()}: the last sync ({status.LastAttempt:u}) ended {status.Outcome}" + (status.Message is { } message ? $": {message}" : ""));
            if (status.LastRegistryError is { } error)
            {
                report.Detail($"registry: {error}");
            }
            report.Detail("keys here are what the last successful cycle left; see keyagentd status and journalctl -u keyagentd");
        }
        if (CycleDeadline.Overdue(status, now, settings.Registry) is not null)
        {
            report.Fail($"{DoctorCode.SyncOverdue.ToCode()}: no sync has completed for {CycleDeadline.Describe(now - status.LastAttempt!.Value)} (Registry:PollInterval {CycleDeadline.Describe(settings.Registry.PollInterval)}): the daemon is not syncing");
            report.Detail("fix: systemctl status keyagentd; journalctl -u keyagentd");
        }
    }

    /// <summary>The host's trust: a damaged trust state refuses every snapshot, which is why a new key never arrives.</summary>
    private void ExamineTrust(DoctorReport report, SyncStatus status)
    {
        var trust = HostTrust.Read(state, settings.Audit.Path, status);
        if (trust.File.IsDamaged)
        {
            report.Fail(trust.Describe());
            return;
        }
        report.Info($"trust: {trust.Describe()}");
    }

    private void ExamineSshd(DoctorReport report, AccountInfo account)
    {
        report.Section("sshd");
        var probe = sshdProbe(account.Name);
        if (probe is null)
        {
            report.Info("sshd -T not available here (not installed, or not root): sshd's own settings not checked");
            return;
        }
        if (probe.Error is not null)
        {
            report.Warn($"sshd -T failed: {probe.Error}");
            return;
        }
        var cfg = probe.Settings;
        SshdFilesDoctor.Examine(report, settings, account, cfg);
        if (cfg.GetValueOrDefault("pubkeyauthentication") == "no")
        {
            report.Fail("PubkeyAuthentication no: keys are never tried");
        }
        string files = cfg.GetValueOrDefault("authorizedkeysfile", "?");
        report.Info($"authorizedkeysfile {files}");
        if (files.Split(' ').Any(f => f != "none" && !f.EndsWith("/authorized_keys", StringComparison.Ordinal) && f != ".ssh/authorized_keys"))
        {
            // Debian's default also reads ~/.ssh/authorized_keys2, which keyagentd does not manage:
            // a key there survives revocation.
            report.Warn($"sshd also reads {files}: keys in files other than authorized_keys are not managed and survive revocation; set AuthorizedKeysFile .ssh/authorized_keys");
        }
        if (cfg.GetValueOrDefault("authorizedkeyscommand", "none") is var command and not "none")
        {
            report.Info($"authorizedkeyscommand {command} (user {cfg.GetValueOrDefault("authorizedkeyscommanduser", "?")})");
        }
        else if (!settings.Delivery.AuthorizedKeysFiles)
        {
            report.Fail("Delivery:AuthorizedKeysFiles is false but sshd has no AuthorizedKeysCommand: enable the keyagentd drop-in");
        }
        if (cfg.GetValueOrDefault("strictmodes") == "yes")
        {
            report.Info("strictmodes yes: the ownership and modes above matter");
        }
        foreach (string list in new[] { "allowusers", "denyusers", "allowgroups", "denygroups" })
        {
            if (cfg.TryGetValue(list, out string? value))
            {
                report.Info($"{list} {value}");
            }
        }
    }
}
