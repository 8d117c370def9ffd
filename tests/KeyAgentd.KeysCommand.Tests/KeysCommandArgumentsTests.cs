using KeyAgentd.KeysCommand;

namespace KeyAgentd.KeysCommand.Tests;

public sealed class KeysCommandArgumentsTests
{
    private static KeysCommandArguments Parse(params string[] args)
    {
        var parsed = KeysCommandArguments.TryParse(args, out string? error);
        Assert.True(parsed is not null, error);
        return parsed;
    }

    private static string Error(params string[] args)
    {
        Assert.Null(KeysCommandArguments.TryParse(args, out string? error));
        return error!;
    }

    [Fact]
    public void Without_then_there_is_no_chained_command()
    {
        var parsed = Parse("--state-dir", "/s", "alice", "SHA256:x");
        Assert.Equal(new KeysCommandArguments("/s", "alice", "SHA256:x", null), parsed);
    }

    [Fact]
    public void Everything_after_then_is_the_other_command_and_its_arguments_untouched()
    {
        var parsed = Parse("alice", "SHA256:x", "--then", "/usr/bin/other", "alice", "SHA256:x", "--state-dir", "--", "--then", "a b;$(c)", "");

        Assert.Equal("alice", parsed.User);
        Assert.Equal("SHA256:x", parsed.Fingerprint);
        Assert.Null(parsed.StateDirectory);
        var then = Assert.IsType<ChainedCommand>(parsed.Then);
        Assert.Equal("/usr/bin/other", then.FileName);
        Assert.Equal(["alice", "SHA256:x", "--state-dir", "--", "--then", "a b;$(c)", ""], then.Arguments);
        Assert.Equal(ChainedCommand.DefaultTimeout, then.Timeout);
    }

    [Fact]
    public void Then_ends_the_positional_arguments_after_a_double_dash_too()
    {
        var parsed = Parse("--state-dir=/s", "--", "alice", "--then", "/bin/true");
        Assert.Equal("alice", parsed.User);
        Assert.Null(parsed.Fingerprint);
        Assert.Equal("/bin/true", parsed.Then!.FileName);
        Assert.Empty(parsed.Then.Arguments);
    }

    [Theory]
    [InlineData("--then-timeout", "2.5")]
    [InlineData("--then-timeout=2.5", null)]
    public void Then_timeout_sets_the_limit_in_seconds(string option, string? value)
    {
        string[] args = value is null ? [option, "alice", "--then", "/bin/true"] : ["alice", option, value, "--then", "/bin/true"];
        Assert.Equal(TimeSpan.FromSeconds(2.5), Parse(args).Then!.Timeout);
    }

    [Theory]
    [InlineData("alice --then", "--then needs a command")]
    [InlineData("alice --then other-keys %u", "not an absolute path")]
    [InlineData("alice --then ./other", "not an absolute path")]
    [InlineData("--then /bin/true", "missing USER")]
    [InlineData("alice x y --then /bin/true", "too many arguments")]
    [InlineData("--then-timeout 5 alice", "--then-timeout without --then")]
    [InlineData("--then-timeout 0 alice --then /bin/true", "--then-timeout \"0\"")]
    [InlineData("--then-timeout -1 alice --then /bin/true", "--then-timeout \"-1\"")]
    [InlineData("--then-timeout 121 alice --then /bin/true", "--then-timeout \"121\"")]
    [InlineData("--then-timeout 1e3 alice --then /bin/true", "--then-timeout \"1e3\"")]
    [InlineData("alice --then-timeout --then /bin/true", "--then-timeout needs a number of seconds")]
    [InlineData("alice --state-dir --then /bin/true", "--state-dir needs a directory")]
    public void Malformed_chaining_is_a_usage_error(string commandLine, string expected) =>
        Assert.Contains(expected, Error(commandLine.Split(' ')), StringComparison.Ordinal);
}
