using KeyAgentd.Audit;
using KeyAgentd.Core.AuthorizedKeys;
using KeyAgentd.Core.Keys;
using KeyAgentd.Core.Planning;
using KeyAgentd.Core.Policy;
using KeyAgentd.Core.Snapshot;
using KeyAgentd.Homes;
using KeyAgentd.State;
using KeyAgentd.Sync;

namespace KeyAgentd.Tests.Sync;

/// <summary>
/// A cycle's plans and what it applied, turned into audit records: no disk, no engine. Keys come from
/// ssh-keygen; every record carries the cycle's time and host and the snapshot's serial.
/// </summary>
public sealed class ChangeRecordsTests
{
    private const long Serial = 42;
    private const string Host = "web-01.example.com";

    private static readonly DateTimeOffset Now = new(2026, 12, 7, 4, 0, 0, TimeSpan.Zero);

    private static readonly string AliceLine = SshKeygen.Generate("ed25519", 0, "alice@example.com");
    private static readonly string BobLine = SshKeygen.Generate("ecdsa", 256, "bob@example.com");

    private static SyncCycle Cycle(SyncStatus? status = null) => new(Now, status ?? new SyncStatus(), Host, new SyncOptions());

    private static SshPublicKey Key(string line) => AuthorizedKeyLineParser.Parse(line).Key!;

    private static DesiredKey Desired(string line, string owner, string? label) =>
        new(Key(line), KeyOptions.Empty, owner, owner, label, null);

    private static SyncPlan PlanOf(IReadOnlyList<AccountPlan> plans, RemovalApproval? approvedBy = null) =>
        new(plans, new RemovalGuardResult(false, 1, 0, 2, 50, new RemovalLimits()) { ApprovedBy = approvedBy }, []);

    private static AccountPlan AliceGainsBobLoses(string account = "app") => new(
        account,
        OwnershipMode.Exclusive,
        [Desired(AliceLine, "alice@example.com", "laptop")],
        [new RemovedLine(BobLine, Key(BobLine), RemovalReason.NotGranted), new RemovedLine("ssh-rsa AAAA!! junk", null, RemovalReason.InvalidLine, "bad base64")],
        []);

    private static Applied AppliedOf(IReadOnlyList<AccountPlan> done, IReadOnlyList<(string Account, FileRefusal Refusal)>? replaced = null) =>
        new(done.Count, done, [], replaced ?? [], false);

    [Fact]
    public void Every_key_added_and_removed_is_one_record_and_a_removed_line_is_kept_whole()
    {
        var plan = AliceGainsBobLoses();

        var records = ChangeRecords.Made(Cycle(), Serial, PlanOf([plan]), AppliedOf([plan])).ToList();

        var alice = Key(AliceLine);
        var bob = Key(BobLine);
        Assert.Equal(
            [
                new AuditRecord
                {
                    Time = Now, Host = Host, Serial = Serial, Action = "key-added", Account = "app",
                    Fingerprint = alice.Sha256Fingerprint, Type = alice.TypeName, Bits = alice.Bits,
                    Owner = "alice@example.com", Label = "laptop", Reason = "granted",
                },
                new AuditRecord
                {
                    Time = Now, Host = Host, Serial = Serial, Action = "key-removed", Account = "app",
                    Fingerprint = bob.Sha256Fingerprint, Type = bob.TypeName, Bits = bob.Bits, Reason = "not-granted", Line = BobLine,
                },
                new AuditRecord
                {
                    Time = Now, Host = Host, Serial = Serial, Action = "key-removed", Account = "app",
                    Reason = "invalid-line", Message = "bad base64", Line = "ssh-rsa AAAA!! junk",
                },
            ],
            records);
    }

    [Fact]
    public void Report_mode_records_drift_it_did_not_correct_and_nothing_when_there_is_none()
    {
        var drift = AliceGainsBobLoses("drifted") with { Mode = OwnershipMode.Report, Changed = true };
        var quiet = AliceGainsBobLoses("quiet") with { Mode = OwnershipMode.Report, Changed = false };

        var records = ChangeRecords.Made(Cycle(), Serial, PlanOf([drift, quiet]), AppliedOf([drift, quiet])).ToList();

        Assert.Equal(3, records.Count);
        Assert.All(records, r => Assert.Equal(("drifted", "report mode: drift not corrected"), (r.Account, r.Message)));
    }

    [Fact]
    public void A_line_taken_out_because_file_delivery_is_off_says_why()
    {
        var plan = new AccountPlan("app", OwnershipMode.Exclusive, [], [], [])
        {
            Retired = [new RemovedLine(BobLine, Key(BobLine), RemovalReason.DeliveryOff)],
        };

        var record = Assert.Single(ChangeRecords.Made(Cycle(), Serial, PlanOf([plan]), AppliedOf([plan])));

        Assert.Equal(("key-removed", "delivery-off", ChangeRecords.DeliveryOffMessage, BobLine), (record.Action, record.Reason, record.Message, record.Line));
    }

    [Fact]
    public void An_approved_removal_comes_first_with_the_guards_own_words()
    {
        var plan = AliceGainsBobLoses();
        var sync = PlanOf([plan], new RemovalApproval(Serial, 5, "team left"));

        var records = ChangeRecords.Made(Cycle(), Serial, sync, AppliedOf([plan])).ToList();

        Assert.Equal(("removal-approved", "removal-approval", sync.Guard.Describe()), (records[0].Action, records[0].Reason, records[0].Message));
        Assert.Equal(4, records.Count);
    }

    [Fact]
    public void The_intent_names_every_plan_and_unsafe_file_and_the_outcome_only_what_was_done()
    {
        var app = AliceGainsBobLoses("app");
        var web = AliceGainsBobLoses("web");
        var link = new FileRefusal("authorized-keys-symlink", "/home/web/.ssh/authorized_keys is a symbolic link");
        var planned = new PlannedAccounts([app, web], [], new Dictionary<string, FileRefusal> { ["web"] = link, ["gone"] = link });
        var sync = PlanOf([app, web]);

        var intended = ChangeRecords.Intended(Cycle(), Serial, sync, planned).ToList();
        var made = ChangeRecords.Made(Cycle(), Serial, sync, AppliedOf([app])).ToList();

        var replaced = Assert.Single(intended, r => r.Action == "file-replaced");
        Assert.Equal(("web", "authorized-keys-symlink", $"{link.Message}: replaced by a regular file without reading it"), (replaced.Account, replaced.Reason, replaced.Message));
        Assert.Equal(["app", "web"], intended.Where(r => r.Action == "key-added").Select(r => r.Account));
        Assert.Equal(["app"], made.Select(r => r.Account).Distinct());
        Assert.DoesNotContain(made, r => r.Action == "file-replaced");
    }

    [Fact]
    public void A_refusal_is_recorded_when_it_starts_or_changes_not_every_cycle()
    {
        var before = new SortedDictionary<string, AccountFailure>(StringComparer.Ordinal)
        {
            ["same"] = new("same", "ssh-dir-writable", "~/.ssh is group-writable"),
            ["changed"] = new("changed", "io-error", "disk full"),
        };
        AccountFailure[] now =
        [
            new("same", "ssh-dir-writable", "~/.ssh is group-writable"),
            new("changed", "managed-block-damaged", "the managed block has no end"),
            new("new", "io-error", "read-only file system"),
        ];

        var fresh = ChangeRecords.NewRefusals(before, now);

        Assert.Equal(["changed", "new"], fresh.Select(f => f.Account));
        var record = ChangeRecords.Refused(Cycle(), Serial, fresh[0]);
        Assert.Equal(("account-refused", "changed", "managed-block-damaged", "the managed block has no end", (long?)Serial), (record.Action, record.Account, record.Reason, record.Message, record.Serial));
    }

    [Fact]
    public void A_refused_registry_key_keeps_its_owner_label_verdict_and_text()
    {
        var verdict = new Verdict(ReasonCode.RsaTooSmall, "RSA key of 1024 bits; at least 3072 required");
        var rejection = new KeyRejection("app", "carol@example.com", "old laptop", "ssh-rsa AAAAB3... carol", "SHA256:abc", verdict);

        var record = Assert.Single(ChangeRecords.Rejected(Cycle(), Serial, [rejection]));

        Assert.Equal(
            new AuditRecord
            {
                Time = Now, Host = Host, Serial = Serial, Action = "key-rejected", Account = "app", Owner = "carol@example.com", Label = "old laptop",
                Fingerprint = "SHA256:abc", Reason = "rsa-too-small", Message = verdict.Message, Line = "ssh-rsa AAAAB3... carol",
            },
            record);
    }

    [Fact]
    public void Missing_accounts_and_state_directory_repairs_have_records_of_their_own()
    {
        var missing = ChangeRecords.Missing(Cycle(), Serial, ["ghost", "phantom"]).ToList();
        var repair = ChangeRecords.StateDirectoryRepaired(Cycle(), new StateDirectoryRepair("/var/lib/keyagentd/keys", "mode 0777 -> 0755"));

        Assert.Equal(
            [("account-missing", "ghost", "account-missing", "no such local account"), ("account-missing", "phantom", "account-missing", "no such local account")],
            missing.Select(r => (r.Action, r.Account!, r.Reason!, r.Message!)));
        Assert.Equal(
            new AuditRecord { Time = Now, Host = Host, Serial = null, Action = "state-directory-repaired", Reason = "state-directory-loose", Message = "/var/lib/keyagentd/keys: mode 0777 -> 0755" },
            repair);
    }
}
