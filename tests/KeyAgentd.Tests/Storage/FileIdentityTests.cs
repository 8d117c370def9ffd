using KeyAgentd.Fetch;
using KeyAgentd.State;
using KeyAgentd.Storage;

namespace KeyAgentd.Tests.Storage;

/// <summary>
/// A file whose identity is unchanged is not read again; a file changed so recently that a second
/// write could share its timestamps is always read again, so nothing stale is ever served.
/// </summary>
public sealed class FileIdentityTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>Waits until the file's last change is old enough for its identity to stand for its bytes.</summary>
    private static FileIdentity Settled(string path)
    {
        while (true)
        {
            Assert.True(FileIdentity.TryOf(path, out var identity));
            if (identity.IsSettled(DateTimeOffset.UtcNow))
            {
                return identity;
            }
            Thread.Sleep(100);
        }
    }

    [Fact]
    public void A_fresh_write_is_not_settled_and_any_write_changes_the_identity()
    {
        string path = _temp.File("f");
        File.WriteAllText(path, "aaaa");
        Assert.True(FileIdentity.TryOf(path, out var first));
        Assert.False(first.IsSettled(DateTimeOffset.UtcNow));
        Assert.True(first.IsSettled(DateTimeOffset.UtcNow.AddSeconds(3)));

        var settled = Settled(path);
        File.WriteAllText(path, "bbbb");

        Assert.True(FileIdentity.TryOf(path, out var after));
        Assert.NotEqual(settled, after);
        Assert.False(FileIdentity.TryOf(_temp.File("missing"), out _));
    }

    [Fact]
    public async Task A_file_registry_rewritten_in_place_with_the_same_size_is_read_again_however_soon()
    {
        string path = _temp.File("registry.json");
        var source = new FileRegistrySource(path, 1 << 20);
        File.WriteAllText(path, "{\"serial\":1}");
        var first = await source.FetchAsync(null, CancellationToken.None);

        File.WriteAllText(path, "{\"serial\":2}");
        var second = await source.FetchAsync(first.ETag, CancellationToken.None);

        Assert.Equal(RegistryFetchStatus.Ok, second.Status);
        Assert.Equal("{\"serial\":2}", System.Text.Encoding.UTF8.GetString(second.Content!));
    }

    [Fact]
    public async Task A_settled_file_registry_is_not_read_again_until_it_changes()
    {
        string path = _temp.File("registry.json");
        var source = new FileRegistrySource(path, 1 << 20);
        File.WriteAllText(path, "{\"serial\":1}");
        Settled(path);
        var first = await source.FetchAsync(null, CancellationToken.None);

        var unchanged = await source.FetchAsync(first.ETag, CancellationToken.None);
        File.WriteAllText(path, "{\"serial\":2}");
        var changed = await source.FetchAsync(first.ETag, CancellationToken.None);

        Assert.Equal(RegistryFetchStatus.NotModified, unchanged.Status);
        Assert.Equal(RegistryFetchStatus.Ok, changed.Status);
        Assert.Equal("{\"serial\":2}", System.Text.Encoding.UTF8.GetString(changed.Content!));
    }

    [Fact]
    public void The_last_known_good_snapshot_is_read_once_while_unchanged()
    {
        var store = new StateStore(_temp.Path);
        store.SaveSnapshot("{\"serial\":1}"u8.ToArray());
        Settled(_temp.File(StateStore.SnapshotFileName));

        byte[] first = store.LoadSnapshot()!;
        byte[] again = store.LoadSnapshot()!;
        store.SaveSnapshot("{\"serial\":2}"u8.ToArray());
        byte[] replaced = store.LoadSnapshot()!;

        Assert.Same(first, again);
        Assert.Equal("{\"serial\":2}", System.Text.Encoding.UTF8.GetString(replaced));
    }

    [Fact]
    public void The_bytes_a_parsed_snapshot_refers_to_are_kept_in_place_of_an_equal_read()
    {
        var store = new StateStore(_temp.Path);
        store.SaveSnapshot("{\"serial\":1}"u8.ToArray());
        Settled(_temp.File(StateStore.SnapshotFileName));
        byte[] read = store.LoadSnapshot()!;
        byte[] parsedFrom = "{\"serial\":1}"u8.ToArray();

        store.ShareSnapshotBytes(read, "{\"serial\":9}"u8.ToArray());
        Assert.Same(read, store.LoadSnapshot());
        store.ShareSnapshotBytes(read, parsedFrom);

        Assert.Same(parsedFrom, store.LoadSnapshot());
    }
}
