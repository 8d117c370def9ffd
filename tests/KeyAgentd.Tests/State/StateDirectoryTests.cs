using System.Runtime.Versioning;
using KeyAgentd.Audit;
using KeyAgentd.State;
using KeyAgentd.Tests.Support;

namespace KeyAgentd.Tests.State;

[UnsupportedOSPlatform("windows")]
[Trait("Category", "Integration")]
public sealed class StateDirectoryTests : IDisposable
{
    private const UnixFileMode Mode0755 =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private const string CacheText = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl alice\n";

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    // Missing parents too: a fresh host has no /var/lib/keyagentd.
    private string StateDir => _temp.File("var/lib/keyagentd");

    /// <summary>Everything that may be first to create the state directory.</summary>
    public static TheoryData<string> FirstCreators => ["sync-lock", "status", "snapshot", "cache", "managed-set", "audit-head", "audit-intent"];

    private async Task CreateBy(string creator)
    {
        var store = new StateStore(StateDir);
        switch (creator)
        {
            case "sync-lock":
                (await store.LockAsync(default)).Dispose();
                break;
            case "status":
                store.SaveStatus(new SyncStatus());
                break;
            case "snapshot":
                store.SaveSnapshot("{}"u8.ToArray());
                break;
            case "cache":
                store.WriteCache("alice", CacheText);
                break;
            case "managed-set":
                new ManagedSetStore(StateDir).Save(["alice"]);
                break;
            case "audit-head":
                AuditHead.EnsureDirectory(store.AuditHeadPath);
                break;
            case "audit-intent":
                new AuditLog(_temp.File("log/audit.jsonl"), store.AuditHeadPath).Intend([new AuditRecord { Time = DateTimeOffset.UnixEpoch, Action = AuditAction.KeyAdded.ToCode() }]);
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(Path.Combine(StateDir, "audit.intent")));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(creator), creator, null);
        }
    }

    [Theory]
    [MemberData(nameof(FirstCreators))]
    public async Task Whichever_code_creates_the_state_directory_first_it_is_0755(string creator)
    {
        await CreateBy(creator);

        Assert.Equal(Mode0755, File.GetUnixFileMode(StateDir));
        Assert.Equal(Mode0755, File.GetUnixFileMode(_temp.File("var/lib")));
    }

    [Fact]
    public void The_keys_directory_is_0755_and_a_cache_file_0644()
    {
        var store = new StateStore(StateDir);
        store.WriteCache("alice", CacheText);

        Assert.Equal(Mode0755, File.GetUnixFileMode(store.KeysDirectory));
        Assert.Equal(
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
            File.GetUnixFileMode(Path.Combine(store.KeysDirectory, "alice")));
    }

    [Fact]
    public void An_existing_state_directory_keeps_the_mode_the_administrator_gave_it()
    {
        Directory.CreateDirectory(StateDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        new StateStore(StateDir).SaveStatus(new SyncStatus());
        new ManagedSetStore(StateDir).Save(["alice"]);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(StateDir));
    }

    [RootFact]
    public void The_unprivileged_helper_user_can_read_a_cache_file_in_a_new_state_directory()
    {
        // What keyagentd-keys does as sshd's AuthorizedKeysCommandUser: open state-dir/keys/<user>.
        File.SetUnixFileMode(_temp.Path, Mode0755);
        var store = new StateStore(StateDir);
        store.WriteCache("alice", CacheText);

        var nobody = ProcessRunner.Run("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "cat", Path.Combine(store.KeysDirectory, "alice")]);

        Assert.True(nobody.ExitCode == 0, nobody.Stderr);
        Assert.Equal(System.Text.Encoding.UTF8.GetString(KeyAgentd.Core.HelperCache.CacheIndex.FileFor(CacheText)), nobody.Stdout);
    }
}
