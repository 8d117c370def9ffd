using KeyAgentd.Core.Snapshot;

namespace KeyAgentd.Core.Tests.Snapshot;

public sealed class AccountNameTests
{
    [Theory]
    [InlineData("root")]
    [InlineData("deploy")]
    [InlineData("_apt")]
    [InlineData("www-data")]
    [InlineData("first.last")]
    [InlineData("a")]
    [InlineData("0day")]
    [InlineData("ABCdef_123-.x")]
    [InlineData("abcdefghijklmnopqrstuvwxyz012345")]
    public void Valid(string name) => Assert.True(AccountName.IsValid(name));

    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData(".hidden")]
    [InlineData("-rf")]
    [InlineData("../etc")]
    [InlineData("a/b")]
    [InlineData("/root")]
    [InlineData("a b")]
    [InlineData("tab\t")]
    [InlineData("new\nline")]
    [InlineData("nul\0")]
    [InlineData("machine$")]
    [InlineData("user@host")]
    [InlineData("ümlaut")]
    [InlineData("abcdefghijklmnopqrstuvwxyz0123456")]
    public void Invalid(string name) => Assert.False(AccountName.IsValid(name));

    [Fact]
    public void Null_is_invalid() => Assert.False(AccountName.IsValid(null));
}
