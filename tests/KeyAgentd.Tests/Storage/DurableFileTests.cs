using System.Runtime.Versioning;
using KeyAgentd.Storage;
using KeyAgentd.Tests.Support;
using Mono.Unix.Native;

namespace KeyAgentd.Tests.Storage;

[UnsupportedOSPlatform("windows")]
[Trait("Category", "Integration")]
public sealed class DurableFileTests : IDisposable
{
    private const UnixFileMode Mode0640 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Target => _temp.File("status.json");

    private static ulong Inode(string path) => Syscall.lstat(path, out Stat st) == 0 ? st.st_ino : throw new IOException(path);

    [Fact]
    public void Replaces_the_file_with_a_new_inode_the_exact_mode_and_no_temp_left()
    {
        File.WriteAllText(Target, "old");
        File.SetUnixFileMode(Target, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherWrite);
        ulong before = Inode(Target);

        DurableFile.WriteAllBytes(Target, "new"u8.ToArray(), Posix.Mode0640);

        Assert.Equal("new", File.ReadAllText(Target));
        Assert.Equal(Mode0640, File.GetUnixFileMode(Target));
        Assert.NotEqual(before, Inode(Target));
        Assert.Equal([Target], Directory.GetFileSystemEntries(_temp.Path));
    }

    [Fact]
    public void Creates_a_missing_file()
    {
        DurableFile.WriteAllBytes(Target, "{}"u8.ToArray(), Posix.Mode0600);

        Assert.Equal("{}", File.ReadAllText(Target));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Target));
    }

    [Fact]
    public void A_failed_replace_names_the_path_keeps_what_was_there_and_removes_its_temp()
    {
        // rename(2) cannot put a file over a non-empty directory: the failure comes after the temp was written.
        Directory.CreateDirectory(Path.Combine(Target, "inside"));

        var e = Assert.Throws<IOException>(() => DurableFile.WriteAllBytes(Target, "new"u8.ToArray(), Posix.Mode0640));

        Assert.Contains(Target, e.Message, StringComparison.Ordinal);
        Assert.Equal("renameat", Assert.IsType<PosixException>(e.InnerException).Operation);
        Assert.True(Directory.Exists(Path.Combine(Target, "inside")));
        Assert.Equal([Target], Directory.GetFileSystemEntries(_temp.Path));
    }

    [Fact]
    public void A_missing_directory_is_an_error_not_created()
    {
        var e = Assert.Throws<IOException>(() => DurableFile.WriteAllBytes(_temp.File("nope/x"), [], Posix.Mode0600));

        Assert.Equal(Errno.ENOENT, Assert.IsType<PosixException>(e.InnerException).Errno);
        Assert.False(Directory.Exists(_temp.File("nope")));
    }

    [Fact]
    public void A_temp_that_is_not_ours_stops_the_replace_and_is_left_alone()
    {
        File.WriteAllText(Target, "old");
        File.WriteAllText(_temp.File("fixed.tmp"), "someone else's");
        using var dir = Posix.Open(_temp.Path, OpenFlags.O_RDONLY | OpenFlags.O_DIRECTORY);

        var e = Assert.Throws<PosixException>(() =>
            DurableFile.Replace(dir, _temp.Path, "status.json", "fixed.tmp", "new"u8.ToArray(), Posix.Mode0600, owner: null));

        Assert.Equal(Errno.EEXIST, e.Errno);
        Assert.Equal("openat(O_CREAT|O_EXCL)", e.Operation);
        Assert.Equal("old", File.ReadAllText(Target));
        Assert.Equal("someone else's", File.ReadAllText(_temp.File("fixed.tmp")));
    }

    [RootFact]
    public void Replace_gives_the_file_to_its_owner()
    {
        using var dir = Posix.Open(_temp.Path, OpenFlags.O_RDONLY | OpenFlags.O_DIRECTORY);

        DurableFile.Replace(dir, _temp.Path, "authorized_keys", "authorized_keys.tmp", "k\n"u8.ToArray(), Posix.Mode0600, new DurableFile.Owner(65534, 65534));

        Assert.Equal(0, Syscall.stat(_temp.File("authorized_keys"), out Stat st));
        Assert.Equal(65534u, st.st_uid);
        Assert.Equal(65534u, st.st_gid);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_temp.File("authorized_keys")));
        Assert.False(File.Exists(_temp.File("authorized_keys.tmp")));
    }
}
