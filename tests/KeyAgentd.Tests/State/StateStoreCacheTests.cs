using System.Text;
using KeyAgentd.Core.HelperCache;
using KeyAgentd.State;

namespace KeyAgentd.Tests.State;

/// <summary>The helper cache as the state store writes it: the index line that vouches for the keys, then the keys.</summary>
public sealed class StateStoreCacheTests : IDisposable
{
    private const string Keys = "# keyagentd: managed by keyagentd, changes are overwritten\n" +
        "expiry-time=\"20300101000000Z\" ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl alice\n";

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void A_written_cache_starts_with_the_index_of_its_keys_and_reads_back_as_them()
    {
        var store = new StateStore(_temp.Path);

        store.WriteCache("alice", Keys);

        byte[] file = File.ReadAllBytes(Path.Combine(store.KeysDirectory, "alice"));
        Assert.True(CacheIndex.TryRead(file, out var index, out int bodyStart));
        Assert.Equal(Keys, Encoding.UTF8.GetString(file, bodyStart, file.Length - bodyStart));
        Assert.Equal(CacheIndex.For(Encoding.UTF8.GetBytes(Keys)), index);
        Assert.True(CacheIndex.TrySplit(store.ReadCache("alice")!, out string keys));
        Assert.Equal(Keys, keys);
    }
}
