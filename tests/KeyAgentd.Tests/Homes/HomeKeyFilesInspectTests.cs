using KeyAgentd.Homes;
using KeyAgentd.Tests.Support;

namespace KeyAgentd.Tests.Homes;

/// <summary>`doctor`'s view: every path from "/" down, what is wrong, and what sshd would log.</summary>
[Trait("Category", "Integration")]
public sealed class HomeKeyFilesInspectTests
{
    private const string Keys = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl alice\n";

    private readonly HomeKeyFiles _writer = new();

    [RootFact]
    public void Healthy_account_has_only_ok_findings_from_root_to_the_file()
    {
        using var account = TestAccount.Create();
        _writer.WriteAuthorizedKeys(account.Account, Keys);

        var inspection = _writer.Inspect(account.Account);

        Assert.False(inspection.HasErrors, string.Join("\n", inspection.Findings));
        Assert.False(inspection.HasWarnings, string.Join("\n", inspection.Findings));
        Assert.Equal("/", inspection.Findings[0].Path);
        Assert.Contains(inspection.Findings, f => f.Path == account.Home);
        var file = inspection.Findings[^1];
        Assert.Equal(account.KeyFile, file.Path);
        Assert.Equal("0600", file.Mode);
        Assert.Equal(account.Uid, file.OwnerUid);
    }

    [RootFact]
    public void Missing_ssh_dir_is_a_warning_and_nothing_is_created()
    {
        using var account = TestAccount.Create();

        var inspection = _writer.Inspect(account.Account);

        var last = inspection.Findings[^1];
        Assert.Equal(FindingSeverity.Warning, last.Severity);
        Assert.Equal(FileRefusal.SshDirMissing, last.Code);
        Assert.False(inspection.HasErrors);
        Assert.False(Directory.Exists(account.SshDir));
    }

    [RootFact]
    public void Missing_file_is_a_warning()
    {
        using var account = TestAccount.Create();
        account.MakeSshDir();

        var last = _writer.Inspect(account.Account).Findings[^1];

        Assert.Equal((account.KeyFile, FindingSeverity.Warning, FileRefusal.FileMissing), (last.Path, last.Severity, last.Code));
    }

    [RootFact]
    public void World_writable_home_is_an_error_with_the_sshd_message_and_the_walk_goes_on()
    {
        using var account = TestAccount.Create();
        _writer.WriteAuthorizedKeys(account.Account, Keys);
        TestAccount.Chmod(account.Home, 0x1FF);

        var inspection = _writer.Inspect(account.Account);

        Assert.True(inspection.HasErrors);
        var home = Assert.Single(inspection.Findings, f => f.Path == account.Home);
        Assert.Equal((FindingSeverity.Error, FileRefusal.HomeWritable, "0777"), (home.Severity, home.Code, home.Mode));
        Assert.Equal($"Authentication refused: bad ownership or modes for directory {account.Home}", home.SshdLog);
        Assert.Equal(account.KeyFile, inspection.Findings[^1].Path);
    }

    [RootFact]
    public void File_mode_0644_is_a_warning_and_0666_an_error()
    {
        using var account = TestAccount.Create();
        account.MakeKeyFile(Keys, mode: 0x1A4);

        var warning = _writer.Inspect(account.Account).Findings[^1];
        Assert.Equal((FindingSeverity.Warning, FileRefusal.FileMode, "0644"), (warning.Severity, warning.Code, warning.Mode));

        TestAccount.Chmod(account.KeyFile, 0x1B6);
        var error = _writer.Inspect(account.Account).Findings[^1];
        Assert.Equal((FindingSeverity.Error, FileRefusal.FileWritable), (error.Severity, error.Code));
        Assert.Equal($"Authentication refused: bad ownership or modes for file {account.KeyFile}", error.SshdLog);
    }

    [RootFact]
    public void Group_writable_ancestor_is_an_error_and_symlinked_ssh_dir_stops_the_walk()
    {
        using var account = TestAccount.Create();
        TestAccount.Chmod(account.BaseDir, 0x1FD);
        File.CreateSymbolicLink(account.SshDir, account.Root);

        var inspection = _writer.Inspect(account.Account);

        var ancestor = Assert.Single(inspection.Findings, f => f.Path == account.BaseDir);
        Assert.Equal(FileRefusal.PathWritable, ancestor.Code);
        var last = inspection.Findings[^1];
        Assert.Equal((account.SshDir, FileRefusal.SshDirSymlink), (last.Path, last.Code));
    }

    [RootFact]
    public void Fifo_is_reported_as_sshd_reports_it()
    {
        using var account = TestAccount.Create();
        account.MakeSshDir();
        TestAccount.Run("mkfifo", account.KeyFile);

        var last = _writer.Inspect(account.Account).Findings[^1];

        Assert.Equal(FileRefusal.FileNotRegular, last.Code);
        Assert.Equal($"Authentication refused: {account.KeyFile} is not a regular file", last.SshdLog);
    }
}
