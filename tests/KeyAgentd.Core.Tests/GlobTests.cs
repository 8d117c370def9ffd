namespace KeyAgentd.Core.Tests;

public class GlobTests
{
    [Theory]
    [InlineData("no-*", "no-pty", true)]
    [InlineData("no-*", "pty", false)]
    [InlineData("*", "", true)]
    [InlineData("dev?", "dev1", true)]
    [InlineData("dev?", "dev12", false)]
    [InlineData("a*b*c", "aXXbYYc", true)]
    [InlineData("a*b*c", "aXXbYY", false)]
    [InlineData("from", "FROM", false)]
    public void Matches_like_a_shell(string pattern, string text, bool expected) =>
        Assert.Equal(expected, Glob.IsMatch(pattern, text));
}
