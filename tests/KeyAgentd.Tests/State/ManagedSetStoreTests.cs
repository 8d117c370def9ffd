using KeyAgentd.State;
using KeyAgentd.Tests.Support;

namespace KeyAgentd.Tests.State;

public sealed class ManagedSetStoreTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>A store whose clock has moved on: the files just written count as settled, so what it read is remembered.</summary>
    private ManagedSetStore Settled() => new(_temp.Path, kernelClock: new KeyAgentd.Tests.Sync.ManualTimeProvider(DateTimeOffset.UtcNow.AddMinutes(1)));

    [Fact]
    public void A_set_file_changed_behind_the_store_is_read_again()
    {
        Settled().Save(["alice", "bob"]);
        var store = Settled();
        Assert.Equal(["alice", "bob"], store.Load().Order(StringComparer.Ordinal));

        File.WriteAllText(Path.Combine(_temp.Path, ManagedSetStore.FileName), "[\"carol\"]\n");

        Assert.Equal(["carol"], Settled().Load());
    }

    [Fact]
    public void Saving_the_remembered_names_after_the_file_changed_writes_them_again()
    {
        Settled().Save(["alice", "bob"]);
        Assert.Equal(2, Settled().Load().Count);
        File.WriteAllText(Path.Combine(_temp.Path, ManagedSetStore.FileName), "[\"carol\"]\n");

        Settled().Save(["alice", "bob"]);

        Assert.Equal(["alice", "bob"], new ManagedSetStore(_temp.Path).Load().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_remembered_set_cannot_be_changed_through_what_load_returns()
    {
        Settled().Save(["alice"]);

        var loaded = Settled().Load();

        Assert.IsNotType<HashSet<string>>(loaded);
    }

    [Fact]
    public void Missing_file_is_an_empty_set()
    {
        Assert.Empty(new ManagedSetStore(_temp.File("state")).Load());
    }

    [Fact]
    public void Round_trip_writes_a_sorted_deduplicated_json_array()
    {
        var store = new ManagedSetStore(_temp.File("state"));

        store.Save(["root", "deploy", "alice", "deploy"]);

        Assert.Equal(["alice", "deploy", "root"], store.Load().Order(StringComparer.Ordinal));
        string text = File.ReadAllText(_temp.File("state/managed-accounts.json"));
        Assert.True(text.IndexOf("alice", StringComparison.Ordinal) < text.IndexOf("deploy", StringComparison.Ordinal));
        Assert.True(text.IndexOf("deploy", StringComparison.Ordinal) < text.IndexOf("root", StringComparison.Ordinal));
        Assert.Single(Directory.GetFiles(_temp.File("state")));
    }

    [Fact]
    public void Save_replaces_the_previous_set_and_an_empty_set_round_trips()
    {
        var store = new ManagedSetStore(_temp.Path);
        store.Save(["alice"]);
        store.Save(["bob"]);
        Assert.Equal(["bob"], store.Load());

        store.Save([]);
        Assert.Empty(store.Load());
        Assert.Equal("[]\n", File.ReadAllText(store.FilePath));
    }

    [Fact]
    public void Saving_the_set_it_already_holds_leaves_the_file_untouched()
    {
        var store = new ManagedSetStore(_temp.Path);
        store.Save(["alice", "bob"]);
        long inode = Inode(store.FilePath);

        store.Save(["bob", "alice"]);

        Assert.Equal(inode, Inode(store.FilePath));
    }

    [Fact]
    public void Saving_the_same_set_over_a_file_with_another_mode_or_content_replaces_it()
    {
        var store = new ManagedSetStore(_temp.Path);
        store.Save(["alice"]);
        Assert.Equal(0, Mono.Unix.Native.Syscall.chmod(store.FilePath, Mono.Unix.Native.FilePermissions.S_IRUSR | Mono.Unix.Native.FilePermissions.S_IWUSR | Mono.Unix.Native.FilePermissions.S_IROTH));
        store.Save(["alice"]);
        Assert.Equal(0, Mono.Unix.Native.Syscall.stat(store.FilePath, out var st));
        Assert.Equal(0x1A0u, (uint)st.st_mode & 0xFFF);

        File.WriteAllText(store.FilePath, "[\"bobby\"]\n");
        store.Save(["alice"]);
        Assert.Equal(["alice"], store.Load());
    }

    private static long Inode(string path)
    {
        Assert.Equal(0, Mono.Unix.Native.Syscall.stat(path, out var st));
        return (long)st.st_ino;
    }

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("{\"root\":true}")]
    [InlineData("null")]
    [InlineData("[\"root\", 1]")]
    [InlineData("[\"root\", null]")]
    [InlineData("[\"../etc\"]")]
    public void Corrupt_file_throws_invalid_data_naming_the_file(string content)
    {
        var store = new ManagedSetStore(_temp.Path);
        File.WriteAllText(store.FilePath, content);

        var error = Assert.Throws<InvalidDataException>(() => store.Load());
        Assert.Contains(store.FilePath, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_FIFO_in_place_of_the_file_is_refused_as_corrupt_without_hanging()
    {
        var store = new ManagedSetStore(_temp.File("state"));
        store.Save(["alice"]);
        Fifo.Make(store.FilePath);

        var error = await Fifo.WithoutHangingOn(store.FilePath, () => Task.FromResult(Record.Exception(() => store.Load())));

        var invalid = Assert.IsType<InvalidDataException>(error);
        Assert.Contains(store.FilePath, invalid.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_names_are_refused_on_save_and_the_old_file_is_kept()
    {
        var store = new ManagedSetStore(_temp.Path);
        store.Save(["alice"]);

        Assert.Throws<ArgumentException>(() => store.Save(["bob", "../etc"]));
        Assert.Equal(["alice"], store.Load());
    }
}
