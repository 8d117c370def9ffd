using KeyAgentd.Accounts;

namespace KeyAgentd.Tests.Accounts;

public sealed class PasswdFileAccountDatabaseTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private PasswdFileAccountDatabase Load(string content)
    {
        string path = _temp.File("passwd");
        File.WriteAllText(path, content);
        return new PasswdFileAccountDatabase(path);
    }

    [Fact]
    public void Parses_accounts_and_skips_blank_and_comment_lines()
    {
        var database = Load("""
            # test accounts
            root:x:0:0:root:/root:/bin/bash

            alice:x:1000:1000:Alice,,,:/home/alice:/bin/bash
            deploy:*:4294967294:100::/srv/deploy:
            """);

        Assert.Equal(["root", "alice", "deploy"], database.All().Select(a => a.Name));
        Assert.Equal(new AccountInfo("alice", 1000, 1000, "/home/alice", "/bin/bash"), database.Find("alice"));
        Assert.Equal(new AccountInfo("deploy", 4294967294, 100, "/srv/deploy", ""), database.Find("deploy"));
        Assert.Null(database.Find("bob"));
        Assert.Empty(database.Warnings);
    }

    [Fact]
    public void Malformed_lines_are_skipped_with_a_warning_naming_the_line()
    {
        var database = Load(string.Join('\n',
            "good:x:1:1::/home/good:/bin/sh",
            "short:x:1:1:/home/short",
            "toolong:x:1:1::/home/x:/bin/sh:extra",
            "neguid:x:-1:1::/home/neguid:/bin/sh",
            "biguid:x:4294967296:1::/home/biguid:/bin/sh",
            "badgid:x:1:g::/home/badgid:/bin/sh",
            "relhome:x:1:1::home/relhome:/bin/sh",
            "../etc:x:1:1::/home/evil:/bin/sh",
            "good:x:2:2::/home/other:/bin/sh",
            "also-good:x:3:3::/:/usr/sbin/nologin"));

        Assert.Equal(["good", "also-good"], database.All().Select(a => a.Name));
        Assert.Equal(1u, database.Find("good")!.Uid);
        Assert.Equal(8, database.Warnings.Count);
        string path = _temp.File("passwd");
        for (int line = 2; line <= 9; line++)
        {
            Assert.Contains(database.Warnings, w => w.StartsWith($"{path}:{line}: ", StringComparison.Ordinal));
        }
        Assert.Contains(database.Warnings, w => w.Contains("7 colon-separated fields", StringComparison.Ordinal));
        Assert.Contains(database.Warnings, w => w.Contains("absolute", StringComparison.Ordinal));
        Assert.Contains(database.Warnings, w => w.Contains("duplicate", StringComparison.Ordinal));
    }

    [Fact]
    public void Invalid_names_are_never_found()
    {
        var database = Load("root:x:0:0:root:/root:/bin/bash\n");

        Assert.Null(database.Find("../root"));
        Assert.Null(database.Find(""));
    }

    [Fact]
    public void A_file_over_one_mebibyte_is_refused()
    {
        string path = _temp.File("passwd");
        File.WriteAllText(path, new string('#', PasswdFileAccountDatabase.MaxBytes + 1));

        Assert.Throws<InvalidDataException>(() => new PasswdFileAccountDatabase(path));
    }

    [Fact]
    public void A_missing_file_is_an_io_error_naming_the_path()
    {
        string path = _temp.File("absent");

        var error = Assert.Throws<IOException>(() => new PasswdFileAccountDatabase(path));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Crlf_line_endings_are_accepted()
    {
        var database = Load("alice:x:1000:1000::/home/alice:/bin/bash\r\n");

        Assert.Equal("/bin/bash", database.Find("alice")!.Shell);
    }
}
