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
}
