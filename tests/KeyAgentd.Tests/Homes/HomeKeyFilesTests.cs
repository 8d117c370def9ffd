using System.Text;
using KeyAgentd.Homes;
using KeyAgentd.Tests.Support;

namespace KeyAgentd.Tests.Homes;

/// <summary>The writer's normal life on real accounts: create, rewrite, leave alone, read back.</summary>
[Trait("Category", "Integration")]
public sealed class HomeKeyFilesTests
{
    private const string Keys = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl alice\n";
    private const string OtherKeys = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl bob\n";

    private readonly HomeKeyFiles _writer = new();

    [RootFact]
    public void First_write_creates_ssh_dir_0700_and_file_0600_owned_by_the_user()
    {
        using var account = TestAccount.Create();
        Assert.False(Directory.Exists(account.SshDir));

        var result = _writer.WriteAuthorizedKeys(account.Account, Keys);

        Assert.Equal(FileWriteStatus.Written, result.Status);
        var dir = TestAccount.Lstat(account.SshDir);
        Assert.Equal(0x1C0u, TestAccount.Mode(account.SshDir));
        Assert.Equal((account.Uid, account.Gid), (dir.st_uid, dir.st_gid));
        var file = TestAccount.Lstat(account.KeyFile);
        Assert.Equal(0x180u, TestAccount.Mode(account.KeyFile));
        Assert.Equal((account.Uid, account.Gid), (file.st_uid, file.st_gid));
        Assert.Equal(1ul, file.st_nlink);
        Assert.Equal(Encoding.UTF8.GetBytes(Keys), File.ReadAllBytes(account.KeyFile));
        // Cross-check with coreutils rather than only Mono.Posix.
        Assert.Equal($"700 {account.Account.Name}\n", TestAccount.Run("stat", "-c", "%a %U", account.SshDir));
        Assert.Equal($"600 {account.Account.Name}\n", TestAccount.Run("stat", "-c", "%a %U", account.KeyFile));
    }

    [RootFact]
    public void Identical_second_write_is_unchanged_with_same_inode_and_mtime()
    {
        using var account = TestAccount.Create();
        Assert.Equal(FileWriteStatus.Written, _writer.WriteAuthorizedKeys(account.Account, Keys).Status);
        var before = TestAccount.Lstat(account.KeyFile);
        Thread.Sleep(20);

        var result = _writer.WriteAuthorizedKeys(account.Account, Keys);

        Assert.Equal(FileWriteStatus.Unchanged, result.Status);
        var after = TestAccount.Lstat(account.KeyFile);
        Assert.Equal(before.st_ino, after.st_ino);
        Assert.Equal((before.st_mtime, before.st_mtime_nsec), (after.st_mtime, after.st_mtime_nsec));
    }

    [RootFact]
    public void Changed_content_replaces_the_file_atomically_with_a_new_inode()
    {
        using var account = TestAccount.Create();
        _writer.WriteAuthorizedKeys(account.Account, Keys);
        var before = TestAccount.Lstat(account.KeyFile);

        var result = _writer.WriteAuthorizedKeys(account.Account, OtherKeys);

        Assert.Equal(FileWriteStatus.Written, result.Status);
        Assert.NotEqual(before.st_ino, TestAccount.Lstat(account.KeyFile).st_ino);
        Assert.Equal(OtherKeys, File.ReadAllText(account.KeyFile));
        Assert.False(File.Exists(Path.Combine(account.SshDir, HomeKeyFiles.TempFileName)));
    }

    [RootFact]
    public void Same_content_with_mode_0644_is_rewritten_as_0600()
    {
        using var account = TestAccount.Create();
        account.MakeKeyFile(Keys, mode: 0x1A4);

        var result = _writer.WriteAuthorizedKeys(account.Account, Keys);

        Assert.Equal(FileWriteStatus.Written, result.Status);
        Assert.Equal(0x180u, TestAccount.Mode(account.KeyFile));
    }

    [RootFact]
    public void Existing_ssh_dir_0755_is_accepted_and_left_0755()
    {
        using var account = TestAccount.Create();
        account.MakeSshDir(mode: 0x1ED);

        var result = _writer.WriteAuthorizedKeys(account.Account, Keys);

        Assert.Equal(FileWriteStatus.Written, result.Status);
        Assert.Equal(0x1EDu, TestAccount.Mode(account.SshDir));
        Assert.Equal(Keys, File.ReadAllText(account.KeyFile));
    }

    [RootFact]
    public void Stale_temp_file_from_a_crash_is_removed_by_the_next_write()
    {
        using var account = TestAccount.Create();
        account.MakeKeyFile(Keys);
        string temp = Path.Combine(account.SshDir, HomeKeyFiles.TempFileName);
        File.WriteAllText(temp, "half a file from a crash");

        var result = _writer.WriteAuthorizedKeys(account.Account, OtherKeys);

        Assert.Equal(FileWriteStatus.Written, result.Status);
        Assert.False(File.Exists(temp));
        Assert.Equal(OtherKeys, File.ReadAllText(account.KeyFile));
    }

    [RootFact]
    public void Stale_temp_symlink_is_removed_not_followed()
    {
        using var account = TestAccount.Create();
        var victim = new VictimFile(account.Root);
        account.MakeSshDir();
        string temp = Path.Combine(account.SshDir, HomeKeyFiles.TempFileName);
        File.CreateSymbolicLink(temp, victim.Path);

        var result = _writer.WriteAuthorizedKeys(account.Account, Keys);

        Assert.Equal(FileWriteStatus.Written, result.Status);
        Assert.False(File.Exists(temp) || Directory.Exists(temp) || new FileInfo(temp).LinkTarget is not null);
        victim.AssertUntouched();
    }

    [RootFact]
    public void Concurrent_writers_are_serialized_by_the_lock()
    {
        using var account = TestAccount.Create();
        string big = Keys + new string('#', 200_000) + "\n";
        var results = new System.Collections.Concurrent.ConcurrentBag<FileWriteResult>();

        Parallel.For(0, 40, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
            results.Add(new HomeKeyFiles().WriteAuthorizedKeys(account.Account, i % 2 == 0 ? big : OtherKeys)));

        Assert.All(results, r => Assert.NotEqual(FileWriteStatus.Refused, r.Status));
        Assert.Contains(File.ReadAllText(account.KeyFile), new[] { big, OtherKeys });
        Assert.Equal(["authorized_keys"], Directory.GetFileSystemEntries(account.SshDir).Select(Path.GetFileName));
    }

    [RootFact]
    public void Read_reports_missing_when_there_is_no_ssh_dir_or_no_file()
    {
        using var account = TestAccount.Create();
        Assert.Equal(FileReadStatus.Missing, _writer.ReadAuthorizedKeys(account.Account).Status);
        Assert.False(Directory.Exists(account.SshDir));

        account.MakeSshDir();
        Assert.Equal(FileReadStatus.Missing, _writer.ReadAuthorizedKeys(account.Account).Status);
    }

    [RootFact]
    public void Read_returns_what_was_written()
    {
        using var account = TestAccount.Create();
        _writer.WriteAuthorizedKeys(account.Account, Keys + "# ünïcödé comment\n");

        var result = _writer.ReadAuthorizedKeys(account.Account);

        Assert.Equal(FileReadStatus.Ok, result.Status);
        Assert.Equal(Keys + "# ünïcödé comment\n", result.Text);
    }

    [RootFact]
    public void Empty_content_is_written_as_an_empty_file()
    {
        using var account = TestAccount.Create();
        account.MakeKeyFile(Keys);

        Assert.Equal(FileWriteStatus.Written, _writer.WriteAuthorizedKeys(account.Account, "").Status);
        Assert.Equal(0L, new FileInfo(account.KeyFile).Length);
        Assert.Equal(FileWriteStatus.Unchanged, _writer.WriteAuthorizedKeys(account.Account, "").Status);
    }

    [RootFact]
    public void File_at_the_size_bound_is_read_and_one_byte_over_is_refused()
    {
        using var account = TestAccount.Create();
        account.MakeKeyFile(new string('#', HomeKeyFiles.MaxFileBytes));
        Assert.Equal(FileReadStatus.Ok, _writer.ReadAuthorizedKeys(account.Account).Status);

        account.MakeKeyFile(new string('#', HomeKeyFiles.MaxFileBytes + 1));
        var result = _writer.ReadAuthorizedKeys(account.Account);

        Assert.Equal(FileReadStatus.Refused, result.Status);
        Assert.Equal(FileRefusal.FileTooLarge, result.Refusal!.Code);
    }

    [RootFact]
    public void Content_over_the_size_bound_is_refused_and_the_old_file_kept()
    {
        using var account = TestAccount.Create();
        account.MakeKeyFile(Keys);

        var result = _writer.WriteAuthorizedKeys(account.Account, new string('#', HomeKeyFiles.MaxFileBytes + 1));

        Assert.Equal(FileWriteStatus.Refused, result.Status);
        Assert.Equal(FileRefusal.FileTooLarge, result.Refusal!.Code);
        Assert.Equal(Keys, File.ReadAllText(account.KeyFile));
    }

    [RootFact]
    public void Existing_file_over_the_size_bound_is_replaced_by_a_write()
    {
        using var account = TestAccount.Create();
        account.MakeKeyFile(new string('#', HomeKeyFiles.MaxFileBytes + 10));

        Assert.Equal(FileWriteStatus.Written, _writer.WriteAuthorizedKeys(account.Account, Keys).Status);
        Assert.Equal(Keys, File.ReadAllText(account.KeyFile));
    }

    [RootFact]
    public void Home_that_is_not_absolute_or_not_normalized_is_refused()
    {
        using var account = TestAccount.Create();
        foreach (string home in new[] { "relative/home", "", account.Home + "/../" + account.Account.Name, account.Home + "//", account.Home.Replace("/home/", "/home/./", StringComparison.Ordinal) })
        {
            var result = _writer.WriteAuthorizedKeys(account.Account with { Home = home }, Keys);
            Assert.Equal(FileWriteStatus.Refused, result.Status);
            Assert.Equal(FileRefusal.HomeInvalid, result.Refusal!.Code);
        }
        Assert.False(Directory.Exists(account.SshDir));
    }

    [RootFact]
    public void Missing_home_is_refused_and_not_created()
    {
        using var account = TestAccount.Create();
        var ghost = account.Account with { Home = Path.Combine(account.BaseDir, "ghost") };

        Assert.Equal(FileRefusal.HomeMissing, _writer.WriteAuthorizedKeys(ghost, Keys).Refusal!.Code);
        Assert.Equal(FileRefusal.HomeMissing, _writer.ReadAuthorizedKeys(ghost).Refusal!.Code);
        Assert.False(Directory.Exists(ghost.Home));
    }
}
