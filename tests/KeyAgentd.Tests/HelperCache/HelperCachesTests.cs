using KeyAgentd.Accounts;
using KeyAgentd.Audit;
using KeyAgentd.Configuration;
using KeyAgentd.Core.Planning;
using KeyAgentd.Expand;
using KeyAgentd.HelperCache;
using KeyAgentd.State;
using KeyAgentd.Sync;
using KeyAgentd.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace KeyAgentd.Tests.HelperCache;

/// <summary>keyagentd-keys' caches alone: one account's write failure is that account's, and only managed accounts keep a cache.</summary>
public sealed class HelperCachesTests : IDisposable
{
    private static readonly string Alice = SshKeygen.Generate("ed25519", comment: "alice");
    private static readonly string Bob = SshKeygen.Generate("ed25519", comment: "bob");

    private readonly TempDirectory _dir = new("keyagentd-helper-caches-");
    private readonly StateStore _state;

    public HelperCachesTests()
    {
        _state = new StateStore(_dir.Path);
    }

    public void Dispose() => _dir.Dispose();

    private HelperCaches Caches(OwnershipMode mode = OwnershipMode.Exclusive) =>
        new(new KeyAgentdSettings { State = { Directory = _dir.Path }, Accounts = { Mode = mode } }, _state, NullLogger.Instance);

    private static SyncCycle Cycle() => new(DateTimeOffset.UnixEpoch, new SyncStatus(), "host", new SyncOptions());

    private static AccountSelection Managing(params string[] names) =>
        new([.. names.Select(n => new AccountInfo(n, 1000, 1000, "/home/" + n, "/bin/sh"))], [], new HashSet<string>(), new HashSet<string>());

    [Fact]
    public void A_written_cache_reads_back_as_its_keys()
    {
        Assert.Null(Caches().Write("alice", Alice + "\n"));

        Assert.Contains(Alice, _state.ReadCache("alice"), StringComparison.Ordinal);
    }

    [Fact]
    public void A_cache_that_cannot_be_written_is_that_accounts_failure()
    {
        Assert.Null(Caches().Write("alice", Alice + "\n"));
        string path = Path.Combine(_state.KeysDirectory, "alice");
        File.Delete(path);
        Directory.CreateDirectory(Path.Combine(path, "in-the-way"));

        var failure = Caches().Write("alice", Bob + "\n");

        Assert.NotNull(failure);
        Assert.Equal(("alice", AccountFailure.CacheWriteFailed), (failure.Account, failure.Code));
    }

    [Fact]
    public void The_cache_of_an_account_no_longer_managed_goes_and_each_of_its_keys_is_audited()
    {
        var caches = Caches();
        caches.Write("alice", Alice + "\n");
        caches.Write("bob", Bob + "\n" + Alice + "\n");
        var cycle = Cycle();

        caches.RemoveUnmanaged(cycle, Managing("alice"), serial: 7);

        Assert.Equal(["alice"], _state.CachedAccounts());
        Assert.Equal(2, cycle.Records.Count);
        Assert.All(cycle.Records, r => Assert.Equal((AuditAction.KeyRemoved.ToCode(), "bob", 7L, "account-unmanaged"), (r.Action, r.Account!, r.Serial!.Value, r.Reason!)));
    }

    [Fact]
    public void Report_mode_removes_no_cache()
    {
        Caches().Write("bob", Bob + "\n");
        var cycle = Cycle();

        Caches(OwnershipMode.Report).RemoveUnmanaged(cycle, Managing(), serial: 7);

        Assert.Equal(["bob"], _state.CachedAccounts());
        Assert.Empty(cycle.Records);
    }
}
