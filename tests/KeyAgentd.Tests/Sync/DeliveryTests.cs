using System.Text.Json.Nodes;
using KeyAgentd.Core.Planning;
using KeyAgentd.Sync;

namespace KeyAgentd.Tests.Sync;

/// <summary>The file and the helper cache come from one plan: they never disagree, and report mode touches neither.</summary>
public class DeliveryTests
{
    private static readonly string Alice = SshKeygen.Generate("ed25519", comment: "alice");
    private static readonly string Bob = SshKeygen.Generate("ed25519", comment: "bob", cached: false);
    private static readonly string Mine = SshKeygen.Generate("ed25519", comment: "added by hand", cached: false);

    private static string Doc(long serial, params string[] keys) =>
        EngineSandbox.Registry(serial, new() { ["deploy"] = [.. keys.Select(k => (JsonNode)EngineSandbox.Key(k, "someone"))] });

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_break_glass_restriction_holds_in_the_file_and_the_cache(bool files)
    {
        string restricted = "from=\"10.9.9.9\" " + Alice;
        using var box = new EngineSandbox(["deploy"], configure: s =>
        {
            s.Accounts.BreakGlass["deploy"] = [restricted];
            s.Delivery.AuthorizedKeysFiles = files;
        });
        box.WriteRegistry(Doc(1, Alice, Bob));

        Assert.Equal(SyncOutcome.Ok, (await box.SyncAsync()).Outcome);

        string blob = Alice.Split(' ')[1];
        string cache = File.ReadAllText(box.CachePath("deploy"));
        Assert.Equal([restricted], cache.Split('\n').Where(l => l.Contains(blob, StringComparison.Ordinal)));
        if (files)
        {
            // The cache is the file after the helper's index line.
            Assert.True(KeyAgentd.Core.HelperCache.CacheIndex.TrySplit(cache, out string keys));
            Assert.Equal(keys, File.ReadAllText(box.KeysPath("deploy")));
        }
        else
        {
            Assert.False(File.Exists(box.KeysPath("deploy")));
        }
    }

    [Fact]
    public async Task Report_mode_leaves_the_file_and_the_cache_byte_identical()
    {
        using var box = new EngineSandbox(["deploy"]);
        box.WriteRegistry(Doc(1, Alice));
        await box.SyncAsync();
        var file = File.ReadAllBytes(box.KeysPath("deploy"));
        var cache = File.ReadAllBytes(box.CachePath("deploy"));

        box.Settings.Accounts.Mode = OwnershipMode.Report;
        box.WriteRegistry(Doc(2, Bob));
        var result = await box.SyncAsync();

        Assert.Equal(SyncOutcome.Ok, result.Outcome);
        Assert.Equal(file, File.ReadAllBytes(box.KeysPath("deploy")));
        Assert.Equal(cache, File.ReadAllBytes(box.CachePath("deploy")));
        Assert.True(result.Plan!.Accounts.Single().Changed);
    }

    [Fact]
    public async Task Switching_from_exclusive_to_managed_block_keeps_a_line_the_user_added()
    {
        using var box = new EngineSandbox(["deploy"]);
        box.WriteRegistry(Doc(1, Alice, Bob));
        await box.SyncAsync();
        File.AppendAllText(box.KeysPath("deploy"), Mine + "\n");

        box.Settings.Accounts.Mode = OwnershipMode.ManagedBlock;
        box.WriteRegistry(Doc(2, Alice));
        var result = await box.SyncAsync();

        Assert.Equal(SyncOutcome.Ok, result.Outcome);
        string text = File.ReadAllText(box.KeysPath("deploy"));
        Assert.StartsWith(Mine + "\n# BEGIN keyagentd\n", text, StringComparison.Ordinal);
        Assert.Contains(Alice.Split(' ')[1], text, StringComparison.Ordinal);
        Assert.DoesNotContain(Bob.Split(' ')[1], text, StringComparison.Ordinal);
    }

    private static List<JsonObject> DeliveryOffRecords(EngineSandbox box) =>
        [.. box.AuditRecords().Where(r => (string?)r["action"] == "key-removed" && (string?)r["reason"] == "delivery-off")];

    private static string FileAccountsPath(EngineSandbox box) => Path.Combine(box.Settings.State.Directory, "file-accounts.json");

    [Fact]
    public async Task Switching_file_delivery_off_empties_the_exclusive_file_and_audits_each_line_it_held()
    {
        using var box = new EngineSandbox(["deploy"]);
        box.WriteRegistry(Doc(1, Alice, Bob));
        await box.SyncAsync();
        Assert.Contains(Bob.Split(' ')[1], File.ReadAllText(box.KeysPath("deploy")), StringComparison.Ordinal);

        // The reported sequence: file delivery off, then a person (Bob) removed upstream.
        box.Settings.Delivery.AuthorizedKeysFiles = false;
        box.WriteRegistry(Doc(2, Alice));
        var result = await box.SyncAsync();

        Assert.Equal(SyncOutcome.Ok, result.Outcome);
        Assert.Equal("", File.ReadAllText(box.KeysPath("deploy")));
        string cache = File.ReadAllText(box.CachePath("deploy"));
        Assert.Contains(Alice.Split(' ')[1], cache, StringComparison.Ordinal);
        Assert.DoesNotContain(Bob.Split(' ')[1], cache, StringComparison.Ordinal);
        var retired = DeliveryOffRecords(box);
        Assert.Equal(2, retired.Count);
        Assert.Equal(
            new[] { SyncSandbox.Fingerprint(Alice), SyncSandbox.Fingerprint(Bob) }.Order(StringComparer.Ordinal),
            retired.Select(r => (string?)r["fingerprint"]).Order(StringComparer.Ordinal));
        Assert.All(retired, r => Assert.Equal("deploy", (string?)r["account"]));
        Assert.Equal("[]\n", File.ReadAllText(FileAccountsPath(box)));
    }

    [Fact]
    public async Task Switching_file_delivery_off_takes_out_the_block_and_keeps_the_users_own_lines()
    {
        using var box = new EngineSandbox(["deploy"], configure: s => s.Accounts.Mode = OwnershipMode.ManagedBlock);
        Directory.CreateDirectory(Path.GetDirectoryName(box.KeysPath("deploy"))!);
        File.WriteAllText(box.KeysPath("deploy"), Mine + "\n");
        box.WriteRegistry(Doc(1, Alice, Bob));
        await box.SyncAsync();
        Assert.Contains("# BEGIN keyagentd", File.ReadAllText(box.KeysPath("deploy")), StringComparison.Ordinal);

        box.Settings.Delivery.AuthorizedKeysFiles = false;
        var result = await box.SyncAsync();

        Assert.Equal(SyncOutcome.Ok, result.Outcome);
        Assert.Equal(Mine + "\n", File.ReadAllText(box.KeysPath("deploy")));
        Assert.Equal(2, DeliveryOffRecords(box).Count);
    }

    [Fact]
    public async Task The_file_is_emptied_once_and_no_home_is_read_or_written_after_that()
    {
        using var box = new EngineSandbox(["deploy"]);
        box.WriteRegistry(Doc(1, Alice));
        await box.SyncAsync();
        box.Settings.Delivery.AuthorizedKeysFiles = false;
        await box.SyncAsync();

        // Helper-only delivery leaves homes alone: what the user writes now is theirs.
        File.WriteAllText(box.KeysPath("deploy"), AuthorizedKeysRenderer.ExclusiveHeader + "\n" + Mine + "\n");
        box.WriteRegistry(Doc(2, Alice, Bob));
        var result = await box.SyncAsync();

        Assert.Equal(SyncOutcome.Ok, result.Outcome);
        Assert.Equal(AuthorizedKeysRenderer.ExclusiveHeader + "\n" + Mine + "\n", File.ReadAllText(box.KeysPath("deploy")));
        Assert.Single(DeliveryOffRecords(box));
    }

    [Fact]
    public async Task A_host_switched_before_file_accounts_were_recorded_is_cleaned_from_the_managed_set()
    {
        using var box = new EngineSandbox(["deploy"]);
        box.WriteRegistry(Doc(1, Alice, Bob));
        await box.SyncAsync();
        // What an earlier keyagentd left: managed-accounts.json, and no record of the files it wrote.
        File.Delete(FileAccountsPath(box));

        box.Settings.Delivery.AuthorizedKeysFiles = false;
        box.WriteRegistry(Doc(2, Alice));
        await box.SyncAsync();

        Assert.Equal("", File.ReadAllText(box.KeysPath("deploy")));
    }

    [Fact]
    public async Task A_damaged_record_of_the_files_written_is_read_as_every_managed_account_and_revocations_still_arrive()
    {
        using var box = new EngineSandbox(["deploy"]);
        box.WriteRegistry(Doc(1, Alice, Bob));
        await box.SyncAsync();
        // Derived data, and only ever a list of homes to clean: damaged, the safe reading is "all of them".
        File.WriteAllText(FileAccountsPath(box), "[\"deploy\", 42");

        box.Settings.Delivery.AuthorizedKeysFiles = false;
        box.WriteRegistry(Doc(2, Alice));
        var result = await box.SyncAsync();

        Assert.Equal(SyncOutcome.Ok, result.Outcome);
        Assert.Equal("", File.ReadAllText(box.KeysPath("deploy")));
        Assert.DoesNotContain(Bob.Split(' ')[1], File.ReadAllText(box.CachePath("deploy")), StringComparison.Ordinal);
        Assert.Equal("[]\n", File.ReadAllText(FileAccountsPath(box)));
    }

    [Fact]
    public async Task The_cache_of_an_account_keyagentd_no_longer_manages_is_removed_so_no_frozen_key_keeps_working()
    {
        using var box = new EngineSandbox(["deploy"], configure: s => s.Delivery.AuthorizedKeysFiles = false);
        box.WriteRegistry(Doc(1, Alice, Bob));
        await box.SyncAsync();
        Assert.True(File.Exists(box.CachePath("deploy")));

        // Excluded from now on: no cycle would write its cache again, so the helper would serve Bob's key
        // for it whatever the registry says later (Bob removed upstream, Bob's key revoked).
        box.Settings.Accounts.Exclude = ["deploy"];
        box.WriteRegistry(Doc(2, Alice));
        var result = await box.SyncAsync();

        Assert.Equal(SyncOutcome.Ok, result.Outcome);
        Assert.False(File.Exists(box.CachePath("deploy")), "keyagentd-keys still serves a cache no cycle maintains");
        var removed = box.AuditRecords().Where(r => (string?)r["action"] == "key-removed" && (string?)r["reason"] == "account-unmanaged").ToList();
        Assert.Equal(
            new[] { SyncSandbox.Fingerprint(Alice), SyncSandbox.Fingerprint(Bob) }.Order(StringComparer.Ordinal),
            removed.Select(r => (string?)r["fingerprint"]).Order(StringComparer.Ordinal));
        Assert.All(removed, r => Assert.Equal("deploy", (string?)r["account"]));
    }

    [Fact]
    public async Task A_file_keyagentd_never_wrote_is_left_alone_when_delivery_is_off()
    {
        using var box = new EngineSandbox(["deploy"], configure: s => s.Accounts.Mode = OwnershipMode.Report);
        box.WriteRegistry(Doc(1, Alice));
        await box.SyncAsync();
        Directory.CreateDirectory(Path.GetDirectoryName(box.KeysPath("deploy"))!);
        File.WriteAllText(box.KeysPath("deploy"), Mine + "\n");

        box.Settings.Accounts.Mode = OwnershipMode.Exclusive;
        box.Settings.Delivery.AuthorizedKeysFiles = false;
        await box.SyncAsync();

        Assert.Equal(Mine + "\n", File.ReadAllText(box.KeysPath("deploy")));
        Assert.Empty(DeliveryOffRecords(box));
    }

    [Fact]
    public async Task Keys_moved_from_the_file_to_the_helper_do_not_trip_the_mass_removal_guard()
    {
        // Every key leaves authorized_keys, but the helper goes on serving each: no access is lost.
        var keys = Enumerable.Range(0, 12).Select(i => SshKeygen.Generate("ed25519", comment: $"k{i}", cached: false)).ToArray();
        using var box = new EngineSandbox(["deploy"]);
        box.WriteRegistry(Doc(1, keys));
        await box.SyncAsync();

        box.Settings.Delivery.AuthorizedKeysFiles = false;
        var result = await box.SyncAsync();

        Assert.Equal(SyncOutcome.Ok, result.Outcome);
        Assert.False(result.Plan!.Guard.Tripped);
        Assert.Equal(0, result.Plan.Guard.Removed);
        Assert.Equal("", File.ReadAllText(box.KeysPath("deploy")));
        Assert.Equal(12, DeliveryOffRecords(box).Count);
    }
}
