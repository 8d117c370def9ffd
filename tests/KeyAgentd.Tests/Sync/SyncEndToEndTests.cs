using System.Text.Json.Nodes;
using KeyAgentd.Audit;
using KeyAgentd.Cli;
using KeyAgentd.Core.Planning;
using KeyAgentd.State;
using KeyAgentd.Sync;
using KeyAgentd.Tests.Support;

namespace KeyAgentd.Tests.Sync;

/// <summary>
/// `keyagentd sync` end to end, as root, with real accounts, a file:// registry and the real
/// composition root (AppServices): what lands in the homes, the state directory and the audit log.
/// </summary>
[Trait("Category", "Integration")]
public sealed class SyncEndToEndTests
{
    private static readonly string KeyA = SshKeygen.Generate("ed25519", comment: "sync-a");
    private static readonly string KeyB = SshKeygen.Generate("ed25519", comment: "sync-b");
    private static readonly string KeyC = SshKeygen.Generate("ecdsa", 256, comment: "sync-c");
    private static readonly string Unknown = SshKeygen.Generate("ed25519", comment: "hand-added");

    private static Dictionary<string, string[]> Keys(params (TestAccount Account, string[] Keys)[] accounts) =>
        accounts.ToDictionary(a => a.Account.Account.Name, a => a.Keys);

    [RootFact]
    public async Task First_sync_creates_700_600_owned_by_the_user_and_a_second_sync_writes_nothing()
    {
        using var sandbox = new SyncSandbox();
        using var alice = TestAccount.Create();
        sandbox.Publish(Keys((alice, [KeyA, KeyB])));

        var first = await sandbox.SyncAsync();
        Assert.Equal(SyncOutcome.Ok, first.Outcome);
        Assert.Equal((2, 0, 1), (first.Counts.Added, first.Counts.Removed, first.Counts.Written));
        Assert.Equal(0x1C0u, TestAccount.Mode(alice.SshDir));
        Assert.Equal(0x180u, TestAccount.Mode(alice.KeyFile));
        foreach (string path in new[] { alice.SshDir, alice.KeyFile })
        {
            Assert.Equal(alice.Uid, TestAccount.Lstat(path).st_uid);
            Assert.Equal(alice.Gid, TestAccount.Lstat(path).st_gid);
        }
        string text = File.ReadAllText(alice.KeyFile);
        Assert.Contains(KeyA.Split(' ')[1], text, StringComparison.Ordinal);
        Assert.Contains(KeyB.Split(' ')[1], text, StringComparison.Ordinal);
        // The helper cache holds the same keys.
        string cache = File.ReadAllText(Path.Combine(sandbox.Settings.State.Directory, StateStore.KeysDirectoryName, alice.Account.Name));
        Assert.Contains(KeyA.Split(' ')[1], cache, StringComparison.Ordinal);
        Assert.Contains(KeyB.Split(' ')[1], cache, StringComparison.Ordinal);

        var before = TestAccount.Lstat(alice.KeyFile);
        var second = await sandbox.SyncAsync();
        Assert.Equal(SyncOutcome.Ok, second.Outcome);
        Assert.Equal((0, 0, 0), (second.Counts.Added, second.Counts.Removed, second.Counts.Written));
        var after = TestAccount.Lstat(alice.KeyFile);
        Assert.Equal(before.st_ino, after.st_ino);
        Assert.Equal(before.st_mtime, after.st_mtime);
        Assert.Equal(before.st_mtime_nsec, after.st_mtime_nsec);
        Assert.Equal(2, sandbox.AuditRecords(AuditAction.KeyAdded.ToCode()).Count);
    }

    [RootFact]
    public async Task Revocation_upstream_removes_the_key_by_key_person_grant_and_revoked_list()
    {
        using var sandbox = new SyncSandbox();
        using var alice = TestAccount.Create();
        string name = alice.Account.Name;
        JsonObject People(params (string Person, string[] Keys)[] people) => new(people.Select(p =>
            KeyValuePair.Create(p.Person, (JsonNode?)new JsonObject { ["keys"] = new JsonArray([.. p.Keys.Select(k => (JsonNode)new JsonObject { ["key"] = k })]) })));
        JsonObject Grants(params string[] grants) => new() { [name] = new JsonObject { ["grants"] = new JsonArray([.. grants.Select(g => (JsonNode)JsonValue.Create(g))]) } };

        sandbox.PublishJson(Grants("p1", "p2"), People(("p1", [KeyA, KeyB]), ("p2", [KeyC])));
        Assert.Equal(SyncOutcome.Ok, (await sandbox.SyncAsync()).Outcome);
        Assert.Equal(3, KeyLines(alice).Count);

        // A key removed from the person.
        sandbox.PublishJson(Grants("p1", "p2"), People(("p1", [KeyA]), ("p2", [KeyC])));
        Assert.Equal(SyncOutcome.Ok, (await sandbox.SyncAsync(force: true)).Outcome);
        Assert.DoesNotContain(KeyLines(alice), l => l.Contains(KeyB.Split(' ')[1], StringComparison.Ordinal));

        // The fingerprint on the revoked list, although the person still lists the key.
        sandbox.PublishJson(Grants("p1", "p2"), People(("p1", [KeyA]), ("p2", [KeyC])), [SyncSandbox.Fingerprint(KeyA)]);
        Assert.Equal(SyncOutcome.Ok, (await sandbox.SyncAsync(force: true)).Outcome);
        Assert.DoesNotContain(KeyLines(alice), l => l.Contains(KeyA.Split(' ')[1], StringComparison.Ordinal));

        // The grant withdrawn, then the person gone.
        sandbox.PublishJson(Grants("p1"), People(("p1", [KeyB]), ("p2", [KeyC])));
        Assert.Equal(SyncOutcome.Ok, (await sandbox.SyncAsync(force: true)).Outcome);
        Assert.Equal([KeyB.Split(' ')[1]], KeyLines(alice).Select(l => l.Split(' ')[1]));
        sandbox.PublishJson(Grants("p1"), People(("p2", [KeyC])));
        await sandbox.SyncAsync(force: true);
        Assert.Empty(KeyLines(alice));
    }

    [RootFact]
    public async Task Exclusive_mode_removes_an_unknown_key_and_audits_its_full_line()
    {
        using var sandbox = new SyncSandbox();
        using var alice = TestAccount.Create();
        sandbox.Publish(Keys((alice, [KeyA])));
        string own = "from=\"10.0.0.1\" " + Unknown;
        // With the registry's key already there, one removal of two stays under the 50 % guard.
        alice.MakeKeyFile(KeyA + "\n" + own + "\n");

        Assert.Equal(SyncOutcome.Ok, (await sandbox.SyncAsync()).Outcome);
        Assert.DoesNotContain(Unknown.Split(' ')[1], File.ReadAllText(alice.KeyFile), StringComparison.Ordinal);
        var removed = Assert.Single(sandbox.AuditRecords(AuditAction.KeyRemoved.ToCode()));
        Assert.Equal(own, removed.GetProperty("line").GetString());
        Assert.Equal(alice.Account.Name, removed.GetProperty("account").GetString());
        // What an operator does: grep -F the removed key's base64 in the log, then audit verify.
        byte[] log = File.ReadAllBytes(sandbox.AuditPath);
        Assert.True(log.AsSpan().IndexOf(System.Text.Encoding.ASCII.GetBytes(Unknown.Split(' ')[1])) >= 0, "the removed key's base64 is not in the audit log as written");
        Assert.True(AuditVerifier.Verify(sandbox.AuditPath, new StateStore(sandbox.Settings.State.Directory).AuditHeadPath).Ok);
    }

    [RootFact]
    public async Task Managed_block_mode_keeps_the_users_own_lines_byte_exact()
    {
        using var sandbox = new SyncSandbox();
        using var alice = TestAccount.Create();
        sandbox.Settings.Accounts.Mode = OwnershipMode.ManagedBlock;
        sandbox.Publish(Keys((alice, [KeyA])));
        string own = "# my laptop\r\nno-pty   " + Unknown + "  trailing  \n";
        alice.MakeKeyFile(own);

        Assert.Equal(SyncOutcome.Ok, (await sandbox.SyncAsync()).Outcome);
        string text = File.ReadAllText(alice.KeyFile);
        Assert.StartsWith(own, text, StringComparison.Ordinal);
        Assert.Contains("# BEGIN keyagentd", text, StringComparison.Ordinal);
        Assert.Contains(KeyA.Split(' ')[1], text, StringComparison.Ordinal);
        Assert.Empty(sandbox.AuditRecords(AuditAction.KeyRemoved.ToCode()));
    }

    [RootFact]
    public async Task Report_mode_writes_nothing_but_audits_the_drift()
    {
        using var sandbox = new SyncSandbox();
        using var alice = TestAccount.Create();
        sandbox.Settings.Accounts.Mode = OwnershipMode.Report;
        sandbox.Publish(Keys((alice, [KeyA])));
        alice.MakeKeyFile(Unknown + "\n");
        var before = TestAccount.Lstat(alice.KeyFile);

        await sandbox.SyncAsync();
        var after = TestAccount.Lstat(alice.KeyFile);
        Assert.Equal(Unknown + "\n", File.ReadAllText(alice.KeyFile));
        Assert.Equal(before.st_mtime_nsec, after.st_mtime_nsec);
        Assert.Equal(before.st_ino, after.st_ino);
        Assert.Contains(sandbox.AuditRecords(AuditAction.KeyAdded.ToCode()), r => r.GetProperty("message").GetString()!.Contains("report mode", StringComparison.Ordinal));
        Assert.Contains(sandbox.AuditRecords(AuditAction.KeyRemoved.ToCode()), r => r.GetProperty("line").GetString() == Unknown);
    }

    [RootFact]
    public async Task An_account_dropped_from_the_registry_loses_its_keys()
    {
        using var sandbox = new SyncSandbox();
        using var alice = TestAccount.Create();
        using var bob = TestAccount.Create();
        sandbox.Publish(Keys((alice, [KeyA]), (bob, [KeyB])));
        await sandbox.SyncAsync();
        Assert.Single(KeyLines(bob));

        sandbox.Publish(Keys((alice, [KeyA])));
        Assert.Equal(SyncOutcome.Ok, (await sandbox.SyncAsync()).Outcome);
        Assert.Empty(KeyLines(bob));
        Assert.Single(KeyLines(alice));
    }

    [RootFact]
    public async Task A_missing_local_account_is_skipped_and_reported_while_the_others_are_synced()
    {
        using var sandbox = new SyncSandbox();
        using var alice = TestAccount.Create();
        var keys = Keys((alice, [KeyA]));
        keys["katnosuchuser"] = [KeyB];
        sandbox.Publish(keys);

        var result = await sandbox.SyncAsync();
        Assert.Equal(SyncOutcome.Ok, result.Outcome);
        Assert.Equal(1, result.Counts.Missing);
        Assert.Single(KeyLines(alice));
        var missing = Assert.Single(sandbox.AuditRecords(AuditAction.AccountMissing.ToCode()));
        Assert.Equal("katnosuchuser", missing.GetProperty("account").GetString());
        var status = new StateStore(sandbox.Settings.State.Directory).LoadStatus();
        Assert.Equal(["katnosuchuser"], status.AccountsMissing);
    }

    [RootFact]
    public async Task Include_adds_local_accounts_exclude_wins_and_break_glass_keys_stay()
    {
        using var sandbox = new SyncSandbox();
        using var alice = TestAccount.Create();
        using var bob = TestAccount.Create();
        using var carol = TestAccount.Create();
        sandbox.Publish(Keys((alice, [KeyA]), (carol, [KeyC])));
        sandbox.Settings.Accounts.Include = [bob.Account.Name];
        sandbox.Settings.Accounts.Exclude = [carol.Account.Name];
        sandbox.Settings.Accounts.BreakGlass[alice.Account.Name] = [KeyB];
        bob.MakeKeyFile(Unknown + "\n");

        Assert.Equal(SyncOutcome.Ok, (await sandbox.SyncAsync(force: true)).Outcome);
        Assert.Empty(KeyLines(bob));
        Assert.False(Directory.Exists(carol.SshDir));
        var aliceKeys = KeyLines(alice).Select(l => l.Split(' ')[^2]).ToList();
        Assert.Contains(KeyA.Split(' ')[1], aliceKeys);
        Assert.Contains(KeyB.Split(' ')[1], aliceKeys);

        // Break-glass keys survive a registry that no longer lists the account at all.
        sandbox.Publish(Keys((carol, [KeyC])));
        await sandbox.SyncAsync(force: true);
        Assert.Equal([KeyB.Split(' ')[1]], KeyLines(alice).Select(l => l.Split(' ')[^2]));
    }

    [RootFact]
    public async Task Mass_removal_guard_exits_4_and_writes_nothing_until_forced()
    {
        using var sandbox = new SyncSandbox();
        sandbox.Settings.Safety.MinRemovedKeys = 2;
        using var alice = TestAccount.Create();
        sandbox.Publish(Keys((alice, [KeyA, KeyB, KeyC])));
        await sandbox.SyncAsync();
        var before = TestAccount.Lstat(alice.KeyFile);

        sandbox.Publish(Keys((alice, [KeyA])));
        var guarded = await sandbox.SyncAsync();
        Assert.Equal(SyncOutcome.GuardTripped, guarded.Outcome);
        Assert.Equal(before.st_mtime_nsec, TestAccount.Lstat(alice.KeyFile).st_mtime_nsec);
        Assert.Equal(3, KeyLines(alice).Count);
        Assert.Single(sandbox.AuditRecords(AuditAction.GuardTripped.ToCode()));

        var forced = await sandbox.SyncAsync(force: true);
        Assert.Equal(SyncOutcome.Ok, forced.Outcome);
        Assert.Single(KeyLines(alice));
    }

    [RootFact]
    public async Task Dry_run_writes_nothing_anywhere()
    {
        using var sandbox = new SyncSandbox();
        using var alice = TestAccount.Create();
        sandbox.Publish(Keys((alice, [KeyA])));
        var before = SyncSandbox.Tree(sandbox.Root, alice.Home);

        var result = await sandbox.SyncAsync(dryRun: true);
        Assert.True(result.DryRun);
        Assert.Contains(alice.Account.Name, SyncSummary.RenderDryRun(result), StringComparison.Ordinal);
        Assert.Equal(before, SyncSandbox.Tree(sandbox.Root, alice.Home));
        Assert.False(Directory.Exists(alice.SshDir));
        Assert.False(File.Exists(sandbox.AuditPath));
    }

    [RootFact]
    public async Task One_refused_account_is_reported_and_every_other_account_is_synced()
    {
        using var sandbox = new SyncSandbox();
        using var alice = TestAccount.Create();
        using var mallory = TestAccount.Create();
        sandbox.Publish(Keys((alice, [KeyA]), (mallory, [KeyB])));
        mallory.MakeSshDir(0x1F8);

        var result = await sandbox.SyncAsync();
        Assert.Equal(SyncOutcome.Partial, result.Outcome);
        Assert.Single(KeyLines(alice));
        Assert.False(File.Exists(mallory.KeyFile));
        var refused = Assert.Single(sandbox.AuditRecords(AuditAction.AccountRefused.ToCode()));
        Assert.Equal(mallory.Account.Name, refused.GetProperty("account").GetString());
        Assert.Equal(0x1F8u, TestAccount.Mode(mallory.SshDir));
    }

    [RootFact]
    public async Task A_home_owned_by_another_user_or_a_dot_ssh_symlinked_to_a_root_dir_is_refused()
    {
        using var sandbox = new SyncSandbox();
        using var alice = TestAccount.Create();
        using var mallory = TestAccount.Create();
        using var eve = TestAccount.Create();
        sandbox.Publish(Keys((alice, [KeyA]), (mallory, [KeyB]), (eve, [KeyC])));
        TestAccount.Chown(mallory.Home, alice.Uid, alice.Gid);
        string rootDir = Path.Combine(eve.Root, "rootdir");
        Directory.CreateDirectory(rootDir);
        File.CreateSymbolicLink(eve.SshDir, rootDir);

        var result = await sandbox.SyncAsync();
        Assert.Equal(SyncOutcome.Partial, result.Outcome);
        Assert.Equal(2, result.Counts.Refused);
        Assert.Single(KeyLines(alice));
        Assert.Empty(Directory.GetFileSystemEntries(rootDir));
        Assert.Equal(2, sandbox.AuditRecords(AuditAction.AccountRefused.ToCode()).Count);
    }

    [RootFact]
    public async Task Authorized_keys_symlinked_or_hardlinked_to_a_victim_leaves_the_victim_untouched()
    {
        using var sandbox = new SyncSandbox();
        using var alice = TestAccount.Create();
        using var mallory = TestAccount.Create();
        using var trudy = TestAccount.Create();
        sandbox.Publish(Keys((alice, [KeyA]), (mallory, [KeyB]), (trudy, [KeyC])));
        var victim = new VictimFile(mallory.Root);
        mallory.MakeSshDir();
        File.CreateSymbolicLink(mallory.KeyFile, victim.Path);
        var hardVictim = new VictimFile(trudy.Home);
        trudy.MakeSshDir();
        TestAccount.Run("ln", hardVictim.Path, trudy.KeyFile);

        var result = await sandbox.SyncAsync();

        // Exclusive mode replaces the links by renameat without reading or writing through them.
        Assert.Equal(SyncOutcome.Ok, result.Outcome);
        victim.AssertUntouched();
        hardVictim.AssertUntouched();
        Assert.Single(KeyLines(alice));
        foreach (var account in new[] { mallory, trudy })
        {
            var st = TestAccount.Lstat(account.KeyFile);
            Assert.Equal(Mono.Unix.Native.FilePermissions.S_IFREG, (Mono.Unix.Native.FilePermissions)st.st_mode & Mono.Unix.Native.FilePermissions.S_IFMT);
            Assert.Equal(1UL, st.st_nlink);
            Assert.Single(KeyLines(account));
        }
    }

    [RootFact]
    public async Task Managed_block_mode_still_refuses_a_symlinked_authorized_keys()
    {
        using var sandbox = new SyncSandbox();
        using var mallory = TestAccount.Create();
        sandbox.Settings.Accounts.Mode = OwnershipMode.ManagedBlock;
        sandbox.Publish(Keys((mallory, [KeyB])));
        var victim = new VictimFile(mallory.Root);
        mallory.MakeSshDir();
        File.CreateSymbolicLink(mallory.KeyFile, victim.Path);

        var result = await sandbox.SyncAsync();

        // The user's own lines would have to be read through the link to be kept: refuse instead.
        Assert.Equal(SyncOutcome.Partial, result.Outcome);
        victim.AssertUntouched();
        Assert.Equal(victim.Path, File.ResolveLinkTarget(mallory.KeyFile, false)!.FullName);
    }

    [RootFact]
    public async Task Helper_only_delivery_never_creates_dot_ssh_and_writes_the_cache()
    {
        using var sandbox = new SyncSandbox();
        using var alice = TestAccount.Create();
        sandbox.Settings.Delivery.AuthorizedKeysFiles = false;
        sandbox.Publish(Keys((alice, [KeyA, KeyB])));

        var first = await sandbox.SyncAsync();
        Assert.Equal(SyncOutcome.Ok, first.Outcome);
        Assert.Equal(1, first.Counts.Written);
        Assert.False(Directory.Exists(alice.SshDir));
        string cache = File.ReadAllText(Path.Combine(sandbox.Settings.State.Directory, StateStore.KeysDirectoryName, alice.Account.Name));
        Assert.Equal(2, cache.Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(l => !l.StartsWith('#')));
        Assert.Equal(0, (await sandbox.SyncAsync()).Counts.Written);
    }

    [RootFact]
    public async Task Audit_verify_passes_after_several_syncs_and_fails_after_tampering()
    {
        using var sandbox = new SyncSandbox();
        using var alice = TestAccount.Create();
        sandbox.Publish(Keys((alice, [KeyA])));
        await sandbox.SyncAsync();
        sandbox.Publish(Keys((alice, [KeyA, KeyB])));
        await sandbox.SyncAsync();
        sandbox.Publish(Keys((alice, [KeyB, KeyC])));
        await sandbox.SyncAsync();
        string head = new StateStore(sandbox.Settings.State.Directory).AuditHeadPath;
        Assert.True(AuditVerifier.Verify(sandbox.AuditPath, head).Ok);

        string[] lines = File.ReadAllLines(sandbox.AuditPath);
        lines[1] = lines[1].Replace(alice.Account.Name, "root", StringComparison.Ordinal);
        File.WriteAllLines(sandbox.AuditPath, lines);
        Assert.False(AuditVerifier.Verify(sandbox.AuditPath, head).Ok);
    }

    private static List<string> KeyLines(TestAccount account) =>
        File.Exists(account.KeyFile)
            ? [.. File.ReadAllLines(account.KeyFile).Where(l => l.Length > 0 && !l.StartsWith('#'))]
            : [];
}
