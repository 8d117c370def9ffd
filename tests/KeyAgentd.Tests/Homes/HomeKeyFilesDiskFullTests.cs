using KeyAgentd.Homes;
using KeyAgentd.Tests.Support;
using Xunit.Abstractions;

namespace KeyAgentd.Tests.Homes;

/// <summary>A full disk must fail the write cleanly: the error names ENOSPC, the old file stays byte for byte.</summary>
[Trait("Category", "Integration")]
public sealed class HomeKeyFilesDiskFullTests(ITestOutputHelper output)
{
    private const string Keys = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl alice\n";

    [RootFact]
    public void Enospc_is_reported_and_the_old_file_kept()
    {
        using var account = TestAccount.CreateOnTmpfs("64k", out string? skipReason);
        if (account is null)
        {
            output.WriteLine($"SKIPPED: {skipReason}");
            return;
        }
        var writer = new HomeKeyFiles();
        Assert.Equal(FileWriteStatus.Written, writer.WriteAuthorizedKeys(account.Account, Keys).Status);
        byte[] before = File.ReadAllBytes(account.KeyFile);
        string filler = Path.Combine(account.BaseDir, "filler");
        Fill(filler);
        try
        {
            var result = writer.WriteAuthorizedKeys(account.Account, Keys + new string('#', 48 * 1024) + "\n");

            Assert.Equal(FileWriteStatus.Refused, result.Status);
            Assert.Equal(FileRefusal.IoError, result.Refusal!.Code);
            Assert.Contains("ENOSPC", result.Refusal.Message, StringComparison.Ordinal);
            Assert.Contains(".ssh/authorized_keys.keyagentd-tmp", result.Refusal.Message, StringComparison.Ordinal);
            Assert.Equal(before, File.ReadAllBytes(account.KeyFile));
            Assert.Equal(0x180u, TestAccount.Mode(account.KeyFile));
            Assert.False(File.Exists(Path.Combine(account.SshDir, HomeKeyFiles.TempFileName)));
        }
        finally
        {
            File.Delete(filler);
        }
    }

    private static void Fill(string path)
    {
        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1);
        var block = new byte[4096];
        try
        {
            for (int i = 0; i < 1024; i++)
            {
                stream.Write(block);
                stream.Flush();
            }
        }
        catch (IOException)
        {
            // Full: exactly what we wanted.
            return;
        }
        Assert.Fail("the tmpfs never filled up");
    }
}
