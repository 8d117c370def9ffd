using KeyAgentd.Sync;
using System.Text.Json.Nodes;
using KeyAgentd.Cli;

namespace KeyAgentd.Tests.Sync;

/// <summary>The whole cycle against a file:// registry: every refusal leaves every file byte-identical and keeps the last-known-good.</summary>
public class SyncEngineFailSafeTests
{
    private static readonly string[] Accounts = ["alice", "deploy"];
    private static readonly string AliceKey = SshKeygen.Generate("ed25519", comment: "alice-a");
    private static readonly string AliceKey2 = SshKeygen.Generate("ed25519", comment: "alice-b", cached: false);
    private static readonly string DeployKey = SshKeygen.Generate("ed25519", comment: "deploy-ci", cached: false);

    private static string Good(long serial, DateTimeOffset? expires = null, DateTimeOffset? aliceNotAfter = null) => EngineSandbox.Registry(serial, new()
    {
        ["alice"] = [EngineSandbox.Key(AliceKey, "alice@example.com"), EngineSandbox.Key(AliceKey2, "alice@example.com", aliceNotAfter)],
        ["deploy"] = [EngineSandbox.Key(DeployKey, "ci")],
    }, expires);

    private static async Task<EngineSandbox> AppliedAsync(string registry)
    {
        // A three-key host: the floor is lowered so that emptying it trips the guard (the default
        // floor lets small hosts lose a removed person at once; see RevocationWinsTests).
        var box = new EngineSandbox(Accounts, configure: s => s.Safety.MinRemovedKeys = 1);
        box.WriteRegistry(registry);
        var first = await box.SyncAsync();
        Assert.True(first.Outcome == SyncOutcome.Ok, SyncSummary.Render(first));
        return box;
    }

    public static TheoryData<string, string, SyncOutcome> Refusals => new()
    {
        { "invalid-json", "{\"schema\": \"keyagentd.registry/v1\", \"serial\": ", SyncOutcome.RegistryUnusable },
        { "wrong-schema", Good(5).Replace("keyagentd.registry/v1", "keyagentd.registry/v9", StringComparison.Ordinal), SyncOutcome.RegistryUnusable },
        { "rollback", Good(1), SyncOutcome.RegistryUnusable },
        { "expired", Good(5, expires: EngineSandbox.Issued.AddMinutes(1)), SyncOutcome.RegistryUnusable },
        { "empty-accounts", EngineSandbox.Registry(5, []), SyncOutcome.GuardTripped },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task A_refused_snapshot_changes_no_byte_and_keeps_the_last_known_good(string name, string registry, SyncOutcome exit)
    {
        using var box = await AppliedAsync(Good(2));
        var before = box.SnapshotFiles(Accounts);
        byte[] lkg = box.State.LoadSnapshot()!;

        box.WriteRegistry(registry);
        var result = await box.SyncAsync();

        Assert.True(result.Outcome == exit, $"{name}: exit {result.Outcome}: {SyncSummary.Render(result)}");
        foreach (var (account, bytes) in box.SnapshotFiles(Accounts))
        {
            Assert.Equal(before[account], bytes);
        }
        Assert.Equal(lkg, box.State.LoadSnapshot());
        var status = box.State.LoadStatus();
        Assert.Equal(2, status.SnapshotSerial);
        if (exit == SyncOutcome.RegistryUnusable)
        {
            Assert.Equal("registry-unusable", status.Outcome);
            Assert.False(string.IsNullOrEmpty(status.LastRegistryError), name);
            Assert.Contains("snapshot-refused", File.ReadAllText(box.Settings.Audit.Path), StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal("guard-tripped", status.Outcome);
        }
    }

    [Fact]
    public async Task Registry_gone_keeps_files_and_reports_unusable()
    {
        using var box = await AppliedAsync(Good(2));
        var before = box.SnapshotFiles(Accounts);
        File.Delete(box.RegistryPath);

        var result = await box.SyncAsync();

        Assert.Equal(SyncOutcome.RegistryUnusable, result.Outcome);
        Assert.Equal(before.Values, box.SnapshotFiles(Accounts).Values);
        Assert.NotNull(box.State.LoadStatus().LastRegistryError);
    }

    [Fact]
    public async Task Not_after_drops_on_schedule_while_the_registry_is_down()
    {
        var notAfter = EngineSandbox.Issued.AddHours(1);
        using var box = await AppliedAsync(Good(2, aliceNotAfter: notAfter));
        Assert.Contains("alice-b", File.ReadAllText(box.KeysPath("alice")), StringComparison.Ordinal);
        File.Delete(box.RegistryPath);

        box.Time.Set(notAfter.AddMinutes(1));
        var result = await box.SyncAsync();

        Assert.Equal(SyncOutcome.RegistryUnusable, result.Outcome);
        string text = File.ReadAllText(box.KeysPath("alice"));
        Assert.DoesNotContain("alice-b", text, StringComparison.Ordinal);
        Assert.Contains("alice-a", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stale_snapshot_is_reported_but_never_empties_accounts()
    {
        var expires = EngineSandbox.Issued.AddHours(1);
        using var box = await AppliedAsync(Good(2, expires: expires));
        var before = box.SnapshotFiles(Accounts);
        File.Delete(box.RegistryPath);

        box.Time.Set(expires.AddDays(3));
        var result = await box.SyncAsync();

        Assert.Equal(before.Values, box.SnapshotFiles(Accounts).Values);
        Assert.True(result.Stale);
        Assert.Contains("STALE", SyncSummary.Render(result), StringComparison.Ordinal);
        var status = box.State.LoadStatus();
        Assert.True(status.IsStale(box.Time.GetUtcNow()));
        Assert.Equal(2, status.AccountKeys["alice"]);
        Assert.Contains("keyagentd_snapshot_stale 1\n", File.ReadAllText(box.Settings.Metrics.TextfilePath!), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Key_removed_upstream_is_removed_at_the_next_cycle()
    {
        using var box = await AppliedAsync(Good(2));
        box.WriteRegistry(EngineSandbox.Registry(3, new()
        {
            ["alice"] = [EngineSandbox.Key(AliceKey, "alice@example.com")],
            ["deploy"] = [EngineSandbox.Key(DeployKey, "ci")],
        }));

        var result = await box.SyncAsync();

        Assert.Equal(SyncOutcome.Ok, result.Outcome);
        Assert.DoesNotContain("alice-b", File.ReadAllText(box.KeysPath("alice")), StringComparison.Ordinal);
        Assert.Equal(3, box.State.LoadStatus().SnapshotSerial);
    }

    [Fact]
    public async Task Concurrent_cycles_are_serialised()
    {
        using var box = await AppliedAsync(Good(2));
        // Two cycles at once: the engine's lock makes them run one after the other, both complete cleanly.
        var runs = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => box.SyncAsync())));
        Assert.All(runs, r => Assert.Equal(SyncOutcome.Ok, r.Outcome));
        Assert.Contains("alice-a", File.ReadAllText(box.KeysPath("alice")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cycle_waits_for_another_process_holding_the_state_directory()
    {
        using var box = await AppliedAsync(Good(2));
        string lockPath = Path.Combine(box.Settings.State.Directory, KeyAgentd.State.StateStore.LockFileName);
        string held = Path.Combine(box.Root, "held"), release = Path.Combine(box.Root, "release");
        // flock(1) in another process: the way a manual `keyagentd sync` next to the daemon holds it.
        // It runs the command only once it holds the lock (the marker says when) and keeps it until told.
        using var holder = System.Diagnostics.Process.Start("flock",
            ["-x", lockPath, "sh", "-c", "touch \"$0\"; while [ ! -e \"$1\" ]; do sleep 0.02; done", held, release]);
        Assert.True(SpinWait.SpinUntil(() => File.Exists(held), TimeSpan.FromSeconds(30)), "flock never held the lock");

        var cycle = Task.Run(() => box.SyncAsync());
        await Task.Delay(300);
        Assert.False(cycle.IsCompleted, "a cycle ran while another process held the lock");

        File.WriteAllText(release, "");
        var result = await cycle;
        Assert.Equal(SyncOutcome.Ok, result.Outcome);
        holder.WaitForExit();
    }

    [Fact]
    public async Task Waiting_for_the_lock_is_cancellable()
    {
        using var box = await AppliedAsync(Good(2));
        using var held = await box.State.LockAsync(default);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => box.SyncAsync(cancel.Token));
    }

    [Fact]
    public async Task Metrics_textfile_is_written_after_every_cycle()
    {
        using var box = await AppliedAsync(Good(2));
        string text = File.ReadAllText(box.Settings.Metrics.TextfilePath!);
        Assert.Contains("keyagentd_snapshot_serial 2\n", text, StringComparison.Ordinal);
        Assert.Contains("keyagentd_account_keys{account=\"alice\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("keyagentd_last_sync_outcome{outcome=\"ok\"} 1\n", text, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(box.Root, "*.tmp*"));
    }
}
