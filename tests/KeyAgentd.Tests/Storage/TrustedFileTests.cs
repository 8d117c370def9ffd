using System.Runtime.Versioning;
using System.Text;
using KeyAgentd.Storage;
using KeyAgentd.Tests.Support;

namespace KeyAgentd.Tests.Storage;

/// <summary>
/// sshd's safe_path rule for the files that decide what root trusts: owned by root or the user
/// keyagentd runs as (so an unprivileged `make run` reads its own files while root refuses a file a
/// user owns), not group/world-writable, and the same for every directory up to /.
/// </summary>
[UnsupportedOSPlatform("windows")]
[Trait("Category", "Integration")]
public sealed class TrustedFileTests : IDisposable
{
    private const uint User = 65534;
    private const uint OtherUser = 65533;

    private readonly TempDirectory _temp = new("keyagentd-trusted-");

    public void Dispose() => _temp.Dispose();

    private string File644(string name, string content = "trusted\n")
    {
        string path = _temp.File(name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        TestAccount.Chmod(path, 0x1A4);
        return path;
    }

    private static byte[] Read(string path, uint euid, bool allowEmpty = false) =>
        TrustedFile.Read(path, "Test:File", 1024, allowEmpty, euid);

    [RootFact]
    public void A_file_the_running_user_owns_is_read_by_that_user_and_refused_by_root()
    {
        string path = File644("user/trusted");
        TestAccount.Chmod(_temp.File("user"), 0x1ED);
        TestAccount.Chown(_temp.File("user"), User, User);
        TestAccount.Chown(path, User, User);

        Assert.Equal("trusted\n", Encoding.UTF8.GetString(Read(path, User)));
        var asRoot = Assert.Throws<UnsafeFileException>(() => Read(path, 0));
        Assert.Contains($"{_temp.File("user")} is owned by uid {User}, not root", asRoot.Message, StringComparison.Ordinal);
        var asOther = Assert.Throws<UnsafeFileException>(() => Read(path, OtherUser));
        Assert.Contains($"not root or uid {OtherUser}", asOther.Message, StringComparison.Ordinal);
    }

    [RootFact]
    public void A_root_owned_file_is_read_by_any_user()
    {
        string path = File644("trusted");

        Assert.Equal("trusted\n", Encoding.UTF8.GetString(Read(path, User)));
        Assert.Equal("trusted\n", Encoding.UTF8.GetString(Read(path, 0)));
    }

    [RootFact]
    public void The_refusal_names_the_setting_the_path_and_the_fix()
    {
        string path = File644("trusted");
        TestAccount.Chmod(path, 0x1B6);

        var e = Assert.Throws<UnsafeFileException>(() => Read(path, 0));

        Assert.Equal($"Test:File: {path} is group/world-writable (mode 0666); fix: chown root:root {path}; chmod go-w {path}", e.Message);
        Assert.Equal(path, e.Path);
        Assert.Equal("Test:File", e.Setting);
    }

    [RootFact]
    public void Empty_is_refused_unless_allowed_and_too_large_always()
    {
        string empty = File644("empty", "");
        Assert.Contains("is empty", Assert.Throws<UnsafeFileException>(() => Read(empty, 0)).Message, StringComparison.Ordinal);
        Assert.Empty(Read(empty, 0, allowEmpty: true));

        string large = File644("large", new string('x', 1025));
        Assert.Contains("larger than 1024 bytes", Assert.Throws<UnsafeFileException>(() => Read(large, 0)).Message, StringComparison.Ordinal);
    }

    [RootFact]
    public void A_fifo_is_refused_without_blocking()
    {
        string fifo = _temp.File("fifo");
        Assert.Equal(0, Mono.Unix.Native.Syscall.mkfifo(fifo, Mono.Unix.Native.FilePermissions.S_IRUSR | Mono.Unix.Native.FilePermissions.S_IWUSR));

        Assert.Contains("a FIFO, not a regular file", Assert.Throws<UnsafeFileException>(() => Read(fifo, 0)).Message, StringComparison.Ordinal);
    }

    [RootFact]
    public void A_symlink_loop_and_a_dangling_symlink_are_refused_by_name()
    {
        string a = _temp.File("a");
        string b = _temp.File("b");
        File.CreateSymbolicLink(a, b);
        File.CreateSymbolicLink(b, a);
        Assert.Contains($"{a} is a symlink loop", Assert.Throws<UnsafeFileException>(() => Read(a, 0)).Message, StringComparison.Ordinal);

        string dangling = _temp.File("dangling");
        File.CreateSymbolicLink(dangling, _temp.File("gone"));
        Assert.Contains($"{dangling} is a dangling symlink", Assert.Throws<UnsafeFileException>(() => Read(dangling, 0)).Message, StringComparison.Ordinal);
    }

    [RootFact]
    public void A_refusal_behind_a_symlink_names_the_real_file_and_the_configured_path()
    {
        string real = File644("real/trusted");
        TestAccount.Chmod(real, 0x1B4);
        string link = _temp.File("link");
        File.CreateSymbolicLink(link, real);

        var e = Assert.Throws<UnsafeFileException>(() => Read(link, 0));

        Assert.Contains($"{real} is group/world-writable", e.Message, StringComparison.Ordinal);
        Assert.EndsWith($"(reached through {link})", e.Message, StringComparison.Ordinal);
    }
}
