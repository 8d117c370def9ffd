using KeyAgentd.Accounts;
using KeyAgentd.Core.Snapshot;

namespace KeyAgentd.Tests.Accounts;

public sealed class NssAccountDatabaseTests
{
    private readonly NssAccountDatabase _database = new();

    [Fact]
    public void Finds_root()
    {
        var root = _database.Find("root");

        Assert.NotNull(root);
        Assert.Equal("root", root.Name);
        Assert.Equal(0u, root.Uid);
        Assert.Equal(0u, root.Gid);
        Assert.StartsWith("/", root.Home, StringComparison.Ordinal);
    }

    [Fact]
    public void Nonexistent_account_is_null() => Assert.Null(_database.Find("keyagentd-no-such-user"));

    [Theory]
    [InlineData("../etc")]
    [InlineData("")]
    [InlineData("root/..")]
    [InlineData("-root")]
    public void Invalid_name_is_null_without_a_lookup(string name) => Assert.Null(_database.Find(name));

    [Fact]
    public void Enumerates_accounts_including_root_once()
    {
        var all = _database.All().ToList();

        Assert.Single(all, a => a.Name == "root" && a.Uid == 0);
        Assert.All(all, a => Assert.True(AccountName.IsValid(a.Name)));
        Assert.Equal(all.Count, all.Select(a => a.Name).Distinct(StringComparer.Ordinal).Count());
    }
}
