using KeyAgentd.Files;
using KeyAgentd.Tests.Support;

namespace KeyAgentd.Tests.Files;

public sealed class StateFileWriterTests
{
    [Fact]
    public void Creates_the_directory_0755_and_the_file_0644()
    {
        using var temp = new TempDirectory();
        string dir = Path.Combine(temp.Path, "keys");

        StateFileWriter.WriteAtomic(dir, "alice", "ssh-ed25519 AAAA alice\n"u8);

        Assert.Equal(0x1EDu, TestAccount.Mode(dir));
        Assert.Equal(0x1A4u, TestAccount.Mode(Path.Combine(dir, "alice")));
        Assert.Equal("ssh-ed25519 AAAA alice\n", File.ReadAllText(Path.Combine(dir, "alice")));
    }

    [Fact]
    public void Replaces_the_file_with_the_requested_mode_and_leaves_no_temp_behind()
    {
        using var temp = new TempDirectory();
        StateFileWriter.WriteAtomic(temp.Path, "snapshot.json", "{\"serial\":1}"u8);

        StateFileWriter.WriteAtomic(temp.Path, "snapshot.json", "{\"serial\":2}"u8, mode: 0x180);

        Assert.Equal("{\"serial\":2}", File.ReadAllText(temp.File("snapshot.json")));
        Assert.Equal(0x180u, TestAccount.Mode(temp.File("snapshot.json")));
        Assert.Equal(["snapshot.json"], Directory.GetFileSystemEntries(temp.Path).Select(Path.GetFileName));
    }

    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("a/b")]
    [InlineData("../escape")]
    public void Rejects_names_that_are_not_plain_file_names(string name)
    {
        using var temp = new TempDirectory();

        Assert.Throws<ArgumentException>(() => StateFileWriter.WriteAtomic(temp.Path, name, "x"u8));
        Assert.Empty(Directory.GetFileSystemEntries(temp.Path));
    }

    [Fact]
    public void Failure_names_the_errno_and_path()
    {
        using var temp = new TempDirectory();
        // A directory where the file should go: renameat fails with EISDIR (or ENOTEMPTY).
        Directory.CreateDirectory(temp.File("taken/inside"));

        var e = Assert.Throws<IOException>(() => StateFileWriter.WriteAtomic(temp.Path, "taken", "x"u8));

        Assert.Contains("renameat", e.Message, StringComparison.Ordinal);
        Assert.Contains(temp.File("taken"), e.Message, StringComparison.Ordinal);
        Assert.Equal(["taken"], Directory.GetFileSystemEntries(temp.Path).Select(Path.GetFileName));
    }
}
