using KeyAgentd.Cli;
using KeyAgentd.Tests.Support;

namespace KeyAgentd.Tests.Cli;

/// <summary>`keyagentd import`: one OpenSSH line per key, whatever a pasted key's comment holds.</summary>
public class ImportCommandTests
{
    [Fact]
    public void Control_characters_reach_neither_stdout_nor_stderr_raw()
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.File("keys"), HostileText.AuthorizedKeys(SshKeygen.Generate("ed25519")));
        byte[] stderr = [];

        byte[] stdout = HostileText.Capture(output => stderr = HostileText.Capture(errors => ImportCommand.Run(dir.File("keys"), output, errors)));

        HostileText.AssertInert(stdout);
        HostileText.AssertInert(stderr);
        Assert.Contains("csi\\x9b2J nel\\x85 ls\\u2028ps\\u2029end", System.Text.Encoding.UTF8.GetString(stdout), StringComparison.Ordinal);
    }

    [Fact]
    public void A_plain_key_is_printed_unchanged()
    {
        using var dir = new TempDirectory();
        string key = SshKeygen.Generate("ed25519", comment: "alice@laptop é");
        File.WriteAllText(dir.File("keys"), key + "\n");
        var stdout = new StringWriter();

        Assert.Equal(ExitCodes.Ok, ImportCommand.Run(dir.File("keys"), stdout, TextWriter.Null));
        Assert.Equal(key + "\n", stdout.ToString());
    }
}
