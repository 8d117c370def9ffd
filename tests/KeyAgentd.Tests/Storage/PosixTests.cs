using System.Runtime.Versioning;
using System.Text;
using KeyAgentd.Storage;
using Mono.Unix.Native;

namespace KeyAgentd.Tests.Storage;

[UnsupportedOSPlatform("windows")]
public sealed class PosixTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void A_failed_call_is_a_PosixException_with_the_errno_the_call_and_the_path()
    {
        string path = _temp.File("missing/file");

        var e = Assert.Throws<PosixException>(() => Posix.Open(path, OpenFlags.O_RDONLY));

        Assert.Equal(Errno.ENOENT, e.Errno);
        Assert.Equal("open", e.Operation);
        Assert.Equal(path, e.Path);
        Assert.Contains("ENOENT", e.Message, StringComparison.Ordinal);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<IOException>(e);
    }

    [Fact]
    public void CreateDirectories_gives_every_new_directory_the_exact_mode_whatever_the_umask()
    {
        // 0775 has the group-write bit the usual umask (022) takes off what mkdir creates.
        const UnixFileMode mode0775 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
            | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

        Posix.CreateDirectories(_temp.File("a/b/c"), (FilePermissions)mode0775);

        Assert.Equal(mode0775, File.GetUnixFileMode(_temp.File("a")));
        Assert.Equal(mode0775, File.GetUnixFileMode(_temp.File("a/b")));
        Assert.Equal(mode0775, File.GetUnixFileMode(_temp.File("a/b/c")));
    }

    [Fact]
    public void CreateDirectories_leaves_an_existing_directory_alone()
    {
        Directory.CreateDirectory(_temp.File("kept"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        Posix.CreateDirectories(_temp.File("kept"), Posix.Mode0755);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_temp.File("kept")));
    }

    [Fact]
    public void ReadBounded_stops_at_the_limit_and_says_there_was_more()
    {
        File.WriteAllText(_temp.File("f"), "0123456789");
        using var fd = Posix.Open(_temp.File("f"), OpenFlags.O_RDONLY);

        byte[] head = Posix.ReadBounded(fd, 4, sizeHint: 0, _temp.File("f"), out bool tooLarge);

        Assert.Equal("0123", Encoding.ASCII.GetString(head));
        Assert.True(tooLarge);
    }

    [Fact]
    public void ReadBounded_reads_a_file_exactly_at_the_limit_whole()
    {
        File.WriteAllText(_temp.File("f"), "0123456789");
        using var fd = Posix.Open(_temp.File("f"), OpenFlags.O_RDONLY);

        byte[] all = Posix.ReadBounded(fd, 10, sizeHint: 3, _temp.File("f"), out bool tooLarge);

        Assert.Equal("0123456789", Encoding.ASCII.GetString(all));
        Assert.False(tooLarge);
    }

    [Fact]
    public void Relative_calls_never_follow_a_symlink()
    {
        File.WriteAllText(_temp.File("target"), "secret");
        File.CreateSymbolicLink(_temp.File("link"), _temp.File("target"));
        using var dir = Posix.Open(_temp.Path, OpenFlags.O_RDONLY | OpenFlags.O_DIRECTORY);

        Assert.Null(Posix.TryOpenAt(dir, "link", Posix.ReadFileFlags, out Errno errno));
        Assert.Equal(Errno.ELOOP, errno);
        Assert.True(Posix.IsSymlink(Posix.LstatAt(dir, "link", _temp.File("link"))!.Value));
        Assert.Null(Posix.LstatAt(dir, "missing", _temp.File("missing")));
    }

    [Fact]
    public void MkdirAt_says_whether_it_created_the_directory()
    {
        using var dir = Posix.Open(_temp.Path, OpenFlags.O_RDONLY | OpenFlags.O_DIRECTORY);

        Assert.True(Posix.MkdirAt(dir, "d", Posix.Mode0700, _temp.File("d")));
        Assert.False(Posix.MkdirAt(dir, "d", Posix.Mode0700, _temp.File("d")));
    }
}
