using System.Text;
using KeyAgentd.Storage;
using KeyAgentd.Tests.Support;
using Mono.Unix.Native;

namespace KeyAgentd.Tests.Storage;

/// <summary>The state-file writer: the new content or the old, with the mode asked for, never a stray temp file.</summary>
public sealed class DurableFileTests : IDisposable
{
    private const FilePermissions Mode0640 = FilePermissions.S_IRUSR | FilePermissions.S_IWUSR | FilePermissions.S_IRGRP;
    private const FilePermissions Mode0600 = FilePermissions.S_IRUSR | FilePermissions.S_IWUSR;

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string[] Entries() => Directory.GetFileSystemEntries(_temp.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;

    [Fact]
    public void Writes_the_bytes_with_the_mode_asked_for_whatever_the_umask()
    {
        string path = _temp.File("status.json");

        DurableFile.WriteAllBytes(path, "{\"a\":1}\n"u8, Mode0640);

        Assert.Equal("{\"a\":1}\n", File.ReadAllText(path));
        Assert.Equal(0x1A0u, TestAccount.Mode(path));
        Assert.Equal(["status.json"], Entries());
    }

    [Fact]
    public void Replaces_an_existing_file_by_rename_so_a_reader_sees_old_or_new_and_the_mode_is_the_new_one()
    {
        string path = _temp.File("head");
        File.WriteAllText(path, "old content that is longer\n");
        TestAccount.Chmod(path, 0x1FF);
        using var reader = File.OpenRead(path);

        DurableFile.WriteAllBytes(path, "new\n"u8, Mode0600);

        // A rename, not a rewrite in place: the handle opened before still reads the whole old file.
        Assert.Equal("old content that is longer\n", new StreamReader(reader).ReadToEnd());
        Assert.Equal("new\n", File.ReadAllText(path));
        Assert.Equal(0x180u, TestAccount.Mode(path));
        Assert.Equal(["head"], Entries());
    }

    [Fact]
    public void Empty_content_writes_an_empty_file()
    {
        string path = _temp.File("empty");
        DurableFile.WriteAllBytes(path, [], Mode0600);
        Assert.Equal(0, new FileInfo(path).Length);
    }

    [Fact]
    public void A_symlink_at_the_path_is_replaced_and_its_target_is_left_alone()
    {
        string victim = _temp.File("victim");
        File.WriteAllText(victim, "victim\n");
        string path = _temp.File("state");
        File.CreateSymbolicLink(path, victim);

        DurableFile.WriteAllBytes(path, "state\n"u8, Mode0600);

        Assert.Equal("victim\n", File.ReadAllText(victim));
        Assert.Null(new FileInfo(path).LinkTarget);
        Assert.Equal("state\n", File.ReadAllText(path));
    }

    [Fact]
    public void A_failed_replace_names_the_path_keeps_what_was_there_and_leaves_no_temp_file()
    {
        string path = _temp.File("taken");
        Directory.CreateDirectory(path);
        File.WriteAllText(Path.Combine(path, "inside"), "kept\n");

        var e = Assert.Throws<IOException>(() => DurableFile.WriteAllBytes(path, Encoding.ASCII.GetBytes("new\n"), Mode0600));

        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Equal("kept\n", File.ReadAllText(Path.Combine(path, "inside")));
        Assert.Equal(["taken"], Entries());
    }

    [Fact]
    public void A_missing_directory_is_an_io_error_naming_the_path()
    {
        string path = _temp.File("missing/status.json");
        var e = Assert.Throws<IOException>(() => DurableFile.WriteAllBytes(path, "x"u8, Mode0600));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Empty(Entries());
    }

    [Fact]
    public void Fsync_of_a_directory_succeeds_and_of_a_missing_one_names_it()
    {
        DurableFile.FsyncDirectory(_temp.Path);
        string missing = _temp.File("gone");
        var e = Assert.Throws<IOException>(() => DurableFile.FsyncDirectory(missing));
        Assert.Contains(missing, e.Message, StringComparison.Ordinal);
    }
}
