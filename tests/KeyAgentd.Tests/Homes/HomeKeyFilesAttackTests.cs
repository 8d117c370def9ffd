using System.Net.Sockets;
using KeyAgentd.Accounts;
using KeyAgentd.Homes;
using KeyAgentd.Tests.Support;

namespace KeyAgentd.Tests.Homes;

/// <summary>
/// A user controls their own home and tries to make the root daemon read or overwrite
/// something else. Every attack must be refused with its code, and the victim left as it was.
/// </summary>
[Trait("Category", "Integration")]
public sealed class HomeKeyFilesAttackTests
{
    private const string Keys = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl alice\n";

    private readonly HomeKeyFiles _writer = new();

    private void AssertBothRefused(AccountInfo account, string code)
    {
        var write = RunBounded(() => _writer.WriteAuthorizedKeys(account, Keys));
        Assert.True(write.Status == FileWriteStatus.Refused, $"write: {write}");
        Assert.Equal(code, write.Refusal!.Code);
        var read = RunBounded(() => _writer.ReadAuthorizedKeys(account));
        Assert.True(read.Status == FileReadStatus.Refused, $"read: {read}");
        Assert.Equal(code, read.Refusal!.Code);
        // As the planning stage reads: the directories above the home kept from one account's walk to the next.
        using var ancestors = new HomeAncestors();
        for (int walk = 0; walk < 2; walk++)
        {
            var shared = RunBounded(() => _writer.ReadAuthorizedKeys(account, ancestors));
            Assert.True(shared.Status == FileReadStatus.Refused, $"read {walk} with kept ancestors: {shared}");
            Assert.Equal(code, shared.Refusal!.Code);
        }
    }

    /// <summary>A FIFO that blocks the writer would hang the daemon: fail the test instead of the run.</summary>
    private static T RunBounded<T>(Func<T> action)
    {
        var task = Task.Run(action);
        Assert.True(task.Wait(TimeSpan.FromSeconds(20)), "the writer blocked");
        return task.Result;
    }

    [RootFact]
    public void Ssh_dir_symlink_to_a_root_owned_dir_is_refused()
    {
        using var account = TestAccount.Create();
        string rootDir = Path.Combine(account.Root, "rootdir");
        Directory.CreateDirectory(rootDir);
        TestAccount.Chmod(rootDir, 0x1C0);
        var victim = new VictimFile(rootDir);
        File.CreateSymbolicLink(account.SshDir, rootDir);

        AssertBothRefused(account.Account, FileRefusal.SshDirSymlink);

        victim.AssertUntouched();
        Assert.Equal(["victim"], Directory.GetFileSystemEntries(rootDir).Select(Path.GetFileName));
        Assert.Equal(0u, TestAccount.Lstat(rootDir).st_uid);
        Assert.Equal(0x1C0u, TestAccount.Mode(rootDir));
    }

    [RootFact]
    public void Authorized_keys_symlink_to_the_victim_is_refused()
    {
        using var account = TestAccount.Create();
        var victim = new VictimFile(account.Root);
        account.MakeSshDir();
        File.CreateSymbolicLink(account.KeyFile, victim.Path);

        AssertBothRefused(account.Account, FileRefusal.FileSymlink);

        victim.AssertUntouched();
        Assert.Equal(victim.Path, new FileInfo(account.KeyFile).LinkTarget);
    }

    [RootFact]
    public void Authorized_keys_hard_link_to_the_victim_is_refused_without_reading_it()
    {
        using var account = TestAccount.Create();
        var victim = new VictimFile(account.Root);
        account.MakeSshDir();
        // protected_hardlinks stops a user from doing this; root can, and so could a user
        // on a host with it off, or with a file they own that later becomes sensitive.
        TestAccount.Run("ln", victim.Path, account.KeyFile);

        AssertBothRefused(account.Account, FileRefusal.FileHardlinked);

        victim.AssertUntouched();
        Assert.Equal(2ul, TestAccount.Lstat(account.KeyFile).st_nlink);
    }

    [RootFact]
    public void Hard_link_to_a_file_the_user_owns_is_refused_too()
    {
        using var account = TestAccount.Create();
        account.MakeKeyFile(Keys);
        TestAccount.Run("ln", account.KeyFile, Path.Combine(account.Home, "other-name"));

        AssertBothRefused(account.Account, FileRefusal.FileHardlinked);
    }

    [RootFact]
    public void Fifo_in_place_of_the_file_is_refused_without_blocking()
    {
        using var account = TestAccount.Create();
        account.MakeSshDir();
        TestAccount.Run("mkfifo", account.KeyFile);
        TestAccount.Chown(account.KeyFile, account.Uid, account.Gid);

        AssertBothRefused(account.Account, FileRefusal.FileNotRegular);
    }

    [RootFact]
    public void Socket_in_place_of_the_file_is_refused()
    {
        using var account = TestAccount.Create();
        account.MakeSshDir();
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(account.KeyFile));
        TestAccount.Chown(account.KeyFile, account.Uid, account.Gid);

        AssertBothRefused(account.Account, FileRefusal.FileNotRegular);
    }

    [RootFact]
    public void Directory_in_place_of_the_file_is_refused()
    {
        using var account = TestAccount.Create();
        account.MakeSshDir();
        Directory.CreateDirectory(account.KeyFile);
        TestAccount.Chown(account.KeyFile, account.Uid, account.Gid);

        AssertBothRefused(account.Account, FileRefusal.FileNotRegular);
        Assert.Empty(Directory.GetFileSystemEntries(account.KeyFile));
    }

    [RootFact]
    public void Device_in_place_of_the_file_is_refused_without_opening_it()
    {
        using var account = TestAccount.Create();
        account.MakeSshDir();
        TestAccount.Run("mknod", account.KeyFile, "c", "1", "3"); // /dev/null's numbers
        TestAccount.Chown(account.KeyFile, account.Uid, account.Gid);

        AssertBothRefused(account.Account, FileRefusal.FileNotRegular);
    }

    [RootFact]
    public void Root_owned_authorized_keys_is_refused()
    {
        using var account = TestAccount.Create();
        account.MakeKeyFile(Keys);
        TestAccount.Chown(account.KeyFile, 0, 0);

        AssertBothRefused(account.Account, FileRefusal.FileWrongOwner);
        Assert.Equal(Keys, File.ReadAllText(account.KeyFile));
    }

    [RootFact]
    public void Home_owned_by_another_user_is_refused_and_nothing_created()
    {
        using var account = TestAccount.Create();
        TestAccount.Chown(account.Home, 65534, 65534);

        AssertBothRefused(account.Account, FileRefusal.HomeWrongOwner);
        Assert.False(Directory.Exists(account.SshDir));
    }

    [RootFact]
    public void World_writable_home_is_refused()
    {
        using var account = TestAccount.Create();
        TestAccount.Chmod(account.Home, 0x1FF);

        AssertBothRefused(account.Account, FileRefusal.HomeWritable);
        Assert.False(Directory.Exists(account.SshDir));
    }

    [RootFact]
    public void Group_writable_ssh_dir_is_refused()
    {
        using var account = TestAccount.Create();
        account.MakeKeyFile(Keys);
        TestAccount.Chmod(account.SshDir, 0x1F8);

        AssertBothRefused(account.Account, FileRefusal.SshDirWritable);
        Assert.Equal(Keys, File.ReadAllText(account.KeyFile));
    }

    [RootFact]
    public void Ssh_dir_owned_by_another_user_is_refused()
    {
        using var account = TestAccount.Create();
        account.MakeSshDir();
        TestAccount.Chown(account.SshDir, 65534, 65534);

        AssertBothRefused(account.Account, FileRefusal.SshDirWrongOwner);
    }

    [RootFact]
    public void Ssh_that_is_a_file_is_refused()
    {
        using var account = TestAccount.Create();
        File.WriteAllText(account.SshDir, "not a directory");
        TestAccount.Chown(account.SshDir, account.Uid, account.Gid);

        AssertBothRefused(account.Account, FileRefusal.SshDirNotDirectory);
        Assert.Equal("not a directory", File.ReadAllText(account.SshDir));
    }

    [RootFact]
    public void Group_writable_ancestor_is_refused()
    {
        using var account = TestAccount.Create();
        TestAccount.Chmod(account.BaseDir, 0x1FD);

        AssertBothRefused(account.Account, FileRefusal.PathWritable);
        Assert.False(Directory.Exists(account.SshDir));
    }

    [RootFact]
    public void Ancestor_owned_by_another_user_is_refused()
    {
        using var account = TestAccount.Create();
        TestAccount.Chown(account.BaseDir, 65534, 65534);

        AssertBothRefused(account.Account, FileRefusal.PathWrongOwner);
    }

    [RootFact]
    public void Symlink_in_the_home_path_is_refused()
    {
        using var account = TestAccount.Create();
        string link = Path.Combine(account.Root, "link");
        File.CreateSymbolicLink(link, account.BaseDir);
        var viaLink = account.Account with { Home = Path.Combine(link, account.Account.Name) };

        AssertBothRefused(viaLink, FileRefusal.PathSymlink);
        Assert.False(Directory.Exists(account.SshDir));
    }

    [RootFact]
    public void Home_that_is_a_symlink_is_refused()
    {
        using var account = TestAccount.Create();
        string link = Path.Combine(account.BaseDir, "linked-home");
        File.CreateSymbolicLink(link, account.Home);

        AssertBothRefused(account.Account with { Home = link }, FileRefusal.PathSymlink);
        Assert.False(Directory.Exists(account.SshDir));
    }

    [RootFact]
    public void Home_that_is_a_file_is_refused()
    {
        using var account = TestAccount.Create();
        string file = Path.Combine(account.BaseDir, "plain-file");
        File.WriteAllText(file, "");

        AssertBothRefused(account.Account with { Home = file }, FileRefusal.HomeNotDirectory);
    }

    [RootFact]
    public void Temp_name_taken_by_a_directory_is_an_io_error_and_the_old_file_is_kept()
    {
        using var account = TestAccount.Create();
        account.MakeKeyFile(Keys);
        Directory.CreateDirectory(Path.Combine(account.SshDir, HomeKeyFiles.TempFileName, "inside"));

        var result = _writer.WriteAuthorizedKeys(account.Account, "ssh-ed25519 AAAA other\n");

        Assert.Equal(FileWriteStatus.Refused, result.Status);
        Assert.Equal(FileRefusal.IoError, result.Refusal!.Code);
        Assert.Contains(HomeKeyFiles.TempFileName, result.Refusal.Message, StringComparison.Ordinal);
        Assert.Equal(Keys, File.ReadAllText(account.KeyFile));
    }
}
