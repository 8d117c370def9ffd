using KeyAgentd.Cli;
using KeyAgentd.Configuration;
using KeyAgentd.Tests.Support;

namespace KeyAgentd.Tests.Configuration;

/// <summary>
/// The configuration file decides which registry root trusts and whether signatures are checked, so
/// like sshd and sudo keyagentd refuses one that anybody but root (or the user it runs as) could have
/// written: the file and every directory above it. At start that is exit 2, naming the file and the fix.
/// </summary>
[Collection(SettingsEnvironment.Name)]
[Trait("Category", "Integration")]
public sealed class ConfigFileSafetyTests : IDisposable
{
    private const uint Nobody = 65534;
    private const string Json = """{ "Registry": { "Url": "https://keys.example.com/{hostname}.json", "Signatures": "enforce" } }""";

    private static readonly Dictionary<string, string?> NoOverrides = [];

    private readonly TempDirectory _temp = new("keyagentd-config-");

    public void Dispose() => _temp.Dispose();

    private string Config(string directory = "")
    {
        string dir = Path.Combine(_temp.Path, directory);
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, "keyagentd.json");
        File.WriteAllText(path, Json);
        TestAccount.Chmod(path, 0x1A4);
        return path;
    }

    [RootFact]
    public void A_root_owned_config_in_root_owned_directories_is_read()
    {
        Assert.Equal("enforce", SettingsLoader.Load(Config(), NoOverrides).Registry.Signatures);
    }

    [RootTheory]
    [InlineData(0x1B6, "0666")]
    [InlineData(0x1B4, "0664")]
    [InlineData(0x1A6, "0646")]
    public void A_group_or_world_writable_config_is_refused_naming_the_file_and_the_fix(int mode, string octal)
    {
        string path = Config();
        TestAccount.Chmod(path, mode);

        var e = Assert.Throws<SettingsException>(() => SettingsLoader.Load(path, NoOverrides));

        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains(octal, e.Message, StringComparison.Ordinal);
        Assert.Contains($"chown root:root {path}; chmod go-w {path}", e.Message, StringComparison.Ordinal);
    }

    [RootFact]
    public void A_config_owned_by_another_user_is_refused()
    {
        string path = Config();
        TestAccount.Chown(path, Nobody, Nobody);

        var e = Assert.Throws<SettingsException>(() => SettingsLoader.Load(path, NoOverrides));

        Assert.Contains($"{path} is owned by uid {Nobody}", e.Message, StringComparison.Ordinal);
        Assert.Contains($"chown root:root {path}", e.Message, StringComparison.Ordinal);
    }

    [RootTheory]
    [InlineData("world-writable")]
    [InlineData("group-writable")]
    [InlineData("owned by another user")]
    public void A_config_under_an_unsafe_directory_is_refused_naming_the_directory(string state)
    {
        string path = Config("etc/keyagentd");
        string dir = Path.GetDirectoryName(Path.GetDirectoryName(path))!;
        switch (state)
        {
            case "world-writable":
                TestAccount.Chmod(dir, 0x1FF);
                break;
            case "group-writable":
                TestAccount.Chmod(dir, 0x1FD);
                break;
            default:
                TestAccount.Chmod(dir, 0x1ED);
                TestAccount.Chown(dir, Nobody, Nobody);
                break;
        }

        var e = Assert.Throws<SettingsException>(() => SettingsLoader.Load(path, NoOverrides));

        Assert.Contains($"{dir} ", e.Message, StringComparison.Ordinal);
        Assert.Contains($"chown root:root {dir}; chmod go-w {dir}", e.Message, StringComparison.Ordinal);
    }

    [RootFact]
    public void A_config_directly_in_a_sticky_world_writable_directory_is_refused()
    {
        // /tmp-like: root-owned, sticky, world-writable. Accepted above the file's own directory (the
        // sticky bit stops others renaming what they do not own), never as the directory holding the file.
        string sticky = Path.Combine(_temp.Path, "tmp");
        Directory.CreateDirectory(sticky);
        TestAccount.Chmod(sticky, 0x3FF); // 01777
        string path = Path.Combine(sticky, "keyagentd.json");
        File.WriteAllText(path, Json);
        TestAccount.Chmod(path, 0x1A4);
        Assert.Throws<SettingsException>(() => SettingsLoader.Load(path, NoOverrides));

        string safe = Path.Combine(sticky, "keyagentd");
        Directory.CreateDirectory(safe);
        TestAccount.Chmod(safe, 0x1ED);
        File.Move(path, Path.Combine(safe, "keyagentd.json"));
        Assert.Equal("enforce", SettingsLoader.Load(Path.Combine(safe, "keyagentd.json"), NoOverrides).Registry.Signatures);
    }

    [RootFact]
    public void A_config_that_is_a_symlink_is_judged_where_it_points()
    {
        string real = Config("real");
        string link = Path.Combine(_temp.Path, "keyagentd.json");
        File.CreateSymbolicLink(link, real);
        Assert.Equal("enforce", SettingsLoader.Load(link, NoOverrides).Registry.Signatures);

        TestAccount.Chmod(real, 0x1B6);
        var e = Assert.Throws<SettingsException>(() => SettingsLoader.Load(link, NoOverrides));
        Assert.Contains(real, e.Message, StringComparison.Ordinal);
    }

    [RootFact]
    public void Every_command_exits_2_on_an_unsafe_config()
    {
        string path = Config();
        TestAccount.Chmod(path, 0x1B6);

        int exit = KeyAgentdCli.Build().Parse(["--config", path, "status"]).Invoke();

        Assert.Equal(ExitCodes.Usage, exit);
    }
}
