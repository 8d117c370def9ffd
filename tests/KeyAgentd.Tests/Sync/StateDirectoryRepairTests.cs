using System.Text.Json.Nodes;
using KeyAgentd.Audit;
using KeyAgentd.Sync;
using KeyAgentd.Tests.Support;

namespace KeyAgentd.Tests.Sync;

/// <summary>
/// Every cycle leaves the state directory and keys/ as keyagentd-keys demands before it serves a cache
/// (root-owned, not group/world-writable): a loose one found there is repaired, logged and audited,
/// never kept silently. The attacks are made as they would be, by an unprivileged user (nobody).
/// </summary>
[Trait("Category", "Integration")]
public sealed class StateDirectoryRepairTests : IDisposable
{
    private static readonly string Alice = SshKeygen.Generate("ed25519", comment: "alice");
    private readonly EngineSandbox _box = new(["deploy"], configure: s => s.Delivery.AuthorizedKeysFiles = false);

    public void Dispose() => _box.Dispose();

    private string KeysDirectory => Path.Combine(_box.Settings.State.Directory, "keys");

    private static string Doc(long serial) =>
        EngineSandbox.Registry(serial, new() { ["deploy"] = [EngineSandbox.Key(Alice, "alice")] });

    private static void AsNobody(string script) =>
        TestAccount.Run("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "/bin/sh", "-c", script);

    private List<JsonObject> Repairs() =>
        [.. _box.AuditRecords().Where(r => (string?)r["action"] == AuditAction.StateDirectoryRepaired.ToCode())];

    [RootFact]
    public async Task A_world_writable_keys_directory_of_another_owner_is_given_back_to_root_and_narrowed_and_audited()
    {
        _box.WriteRegistry(Doc(1));
        Assert.Equal(SyncOutcome.Ok, (await _box.SyncAsync()).Outcome);
        TestAccount.Chown(KeysDirectory, 65534, 65534);
        TestAccount.Chmod(KeysDirectory, 0x1FF);

        Assert.Equal(SyncOutcome.Ok, (await _box.SyncAsync()).Outcome);

        var st = TestAccount.Lstat(KeysDirectory);
        Assert.Equal(0u, st.st_uid);
        Assert.Equal(0x1EDu, TestAccount.Mode(KeysDirectory));
        var repair = Assert.Single(Repairs());
        Assert.Equal("state-directory-loose", (string?)repair["reason"]);
        Assert.Contains("was owned by uid 65534, was mode 0777", (string?)repair["message"], StringComparison.Ordinal);
        Assert.Contains("the old one and its 1 file(s) removed", (string?)repair["message"], StringComparison.Ordinal);
        Assert.Contains(Alice.Split(' ')[1], File.ReadAllText(_box.CachePath("deploy")), StringComparison.Ordinal);
        Assert.Equal([KeysDirectory], Directory.GetFileSystemEntries(_box.Settings.State.Directory, "keys*"));

        // Put right once: the next cycle finds nothing to repair.
        await _box.SyncAsync();
        Assert.Single(Repairs());
    }

    [RootFact]
    public async Task A_cache_another_user_replaced_while_keys_was_open_is_written_afresh_as_roots()
    {
        _box.WriteRegistry(Doc(1));
        await _box.SyncAsync();
        TestAccount.Chmod(KeysDirectory, 0x1FF);
        string cache = _box.CachePath("deploy");
        byte[] written = File.ReadAllBytes(cache);
        // The same bytes, but nobody's file now: a cache the helper refuses, and nobody could edit at will.
        AsNobody($"cp '{cache}' '{cache}.new' && mv -f '{cache}.new' '{cache}'");
        Assert.Equal(65534u, TestAccount.Lstat(cache).st_uid);

        Assert.Equal(SyncOutcome.Ok, (await _box.SyncAsync()).Outcome);

        Assert.Equal(0u, TestAccount.Lstat(cache).st_uid);
        Assert.Equal(0x1A4u, TestAccount.Mode(cache));
        Assert.Equal(written, File.ReadAllBytes(cache));
    }

    [RootFact]
    public async Task A_cache_renamed_to_an_unmanaged_account_while_keys_was_open_does_not_survive_the_repair()
    {
        _box.WriteRegistry(Doc(1));
        await _box.SyncAsync();
        TestAccount.Chmod(KeysDirectory, 0x1FF);
        // A rename keeps the file root's: the helper would serve deploy's keys for root once keys/ is
        // narrowed, and no cycle writes keys/root, as root is not an account keyagentd manages.
        string planted = _box.CachePath("root");
        AsNobody($"mv '{_box.CachePath("deploy")}' '{planted}'");
        Assert.Equal(0u, TestAccount.Lstat(planted).st_uid);

        Assert.Equal(SyncOutcome.Ok, (await _box.SyncAsync()).Outcome);

        Assert.Equal(0x1EDu, TestAccount.Mode(KeysDirectory));
        Assert.False(File.Exists(planted), "keys/root, planted while keys/ was world-writable, is still there for keyagentd-keys to serve");
        Assert.Contains(Alice.Split(' ')[1], File.ReadAllText(_box.CachePath("deploy")), StringComparison.Ordinal);
        Assert.Contains(Repairs(), r => ((string?)r["message"])!.Contains("the old one and its 1 file(s) removed", StringComparison.Ordinal));
    }

    [RootFact]
    public async Task A_keys_directory_made_by_another_user_in_an_open_state_directory_does_not_survive_the_repair()
    {
        _box.WriteRegistry(Doc(1));
        await _box.SyncAsync();
        string state = _box.Settings.State.Directory;
        TestAccount.Chmod(state, 0x1FF);
        // A root-owned file nobody may move: an authorized_keys an administrator locked by giving it to root,
        // in a directory of nobody's own. Moved into a keys/ nobody made, it is root's keys for the helper.
        string own = Path.Combine(_box.Root, "nobodys");
        Directory.CreateDirectory(own);
        TestAccount.Chown(own, 65534, 65534);
        string locked = Path.Combine(own, "authorized_keys");
        File.WriteAllText(locked, Alice + "\n");
        AsNobody($"mv '{KeysDirectory}' '{state}/keys.old' && mkdir '{KeysDirectory}' && mv '{locked}' '{_box.CachePath("root")}'");
        Assert.Equal(0u, TestAccount.Lstat(_box.CachePath("root")).st_uid);

        Assert.Equal(SyncOutcome.Ok, (await _box.SyncAsync()).Outcome);

        Assert.Equal(0u, TestAccount.Lstat(KeysDirectory).st_uid);
        Assert.False(File.Exists(_box.CachePath("root")), "keys/root, moved in by nobody while the state directory was open, is still there for keyagentd-keys to serve");
        Assert.Contains(Alice.Split(' ')[1], File.ReadAllText(_box.CachePath("deploy")), StringComparison.Ordinal);
    }

    [RootFact]
    public async Task A_symlink_in_place_of_keys_is_replaced_by_a_directory()
    {
        // What anyone could leave behind while the state directory itself was writable.
        string elsewhere = Path.Combine(_box.Root, "elsewhere");
        Directory.CreateDirectory(elsewhere);
        Directory.CreateDirectory(_box.Settings.State.Directory);
        File.CreateSymbolicLink(KeysDirectory, elsewhere);
        _box.WriteRegistry(Doc(1));

        Assert.Equal(SyncOutcome.Ok, (await _box.SyncAsync()).Outcome);

        Assert.Equal(Mono.Unix.Native.FilePermissions.S_IFDIR, TestAccount.Lstat(KeysDirectory).st_mode & Mono.Unix.Native.FilePermissions.S_IFMT);
        Assert.True(File.Exists(_box.CachePath("deploy")));
        Assert.Empty(Directory.GetFileSystemEntries(elsewhere));
        Assert.Contains(Repairs(), r => ((string?)r["message"])!.Contains("was a symlink", StringComparison.Ordinal));
    }

    [RootFact]
    public async Task A_tighter_mode_the_administrator_chose_is_kept()
    {
        _box.WriteRegistry(Doc(1));
        await _box.SyncAsync();
        TestAccount.Chmod(_box.Settings.State.Directory, 0x1C0);

        await _box.SyncAsync();

        Assert.Equal(0x1C0u, TestAccount.Mode(_box.Settings.State.Directory));
        Assert.Empty(Repairs());
    }
}
