using KeyAgentd.State;
using Mono.Unix.Native;

namespace KeyAgentd.Tests.State;

/// <summary>keys/ opened once for a planning stage answers for each account exactly as the store's own read does.</summary>
public sealed class CacheFilesTests : IDisposable
{
    private const string Keys = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl alice\n";

    private readonly TempDirectory _temp = new();
    private readonly StateStore _store;

    public CacheFilesTests()
    {
        _store = new StateStore(_temp.Path);
        _store.WriteCache("alice", Keys);
    }

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void A_cache_reads_as_the_store_reads_it_and_is_identified_as_the_bytes_read()
    {
        using var caches = _store.OpenCacheFiles();

        string? text = caches.Read("alice", out var identity);

        Assert.Equal(_store.ReadCache("alice"), text);
        Assert.NotNull(identity);
        Assert.Equal(identity, caches.Identify("alice"));
    }

    [Fact]
    public void No_cache_reads_as_none()
    {
        using var caches = _store.OpenCacheFiles();

        Assert.Null(caches.Read("bob", out var identity));
        Assert.Null(identity);
        Assert.Null(caches.Identify("bob"));
    }

    [Fact]
    public void Without_keys_directory_every_account_reads_as_no_cache()
    {
        using var caches = new StateStore(Path.Combine(_temp.Path, "elsewhere")).OpenCacheFiles();

        Assert.Null(caches.Read("alice", out _));
        Assert.Null(caches.Identify("alice"));
    }

    [Fact]
    public void A_cache_the_helper_would_not_serve_is_no_record_of_what_was_written()
    {
        Assert.Equal(0, Syscall.chmod(Path.Combine(_store.KeysDirectory, "alice"), (FilePermissions)0x1B6)); // 0666
        File.CreateSymbolicLink(Path.Combine(_store.KeysDirectory, "carol"), Path.Combine(_store.KeysDirectory, "alice"));
        using var caches = _store.OpenCacheFiles();

        Assert.Null(caches.Read("alice", out _));
        Assert.Null(caches.Identify("alice"));
        Assert.Null(caches.Read("carol", out _));
        Assert.Null(caches.Identify("carol"));
    }

    [Fact]
    public void A_name_that_is_no_account_is_refused()
    {
        using var caches = _store.OpenCacheFiles();

        Assert.Throws<ArgumentException>(() => caches.Read("../status.json", out _));
        Assert.Throws<ArgumentException>(() => caches.Identify("../status.json"));
    }
}
