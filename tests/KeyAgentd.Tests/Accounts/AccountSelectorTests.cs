using KeyAgentd.Accounts;

namespace KeyAgentd.Tests.Accounts;

public sealed class AccountSelectorTests
{
    private static readonly FakeAccounts Database = new("root", "alice", "deploy", "deploy-ci", "svc-web", "svc-db", "backup");

    private static (IReadOnlyList<string> Managed, IReadOnlyList<string> Missing) Select(
        string[] snapshot, string[]? include = null, string[]? exclude = null, string[]? previous = null)
    {
        var (managed, missing) = AccountSelector.Select(snapshot, include ?? [], exclude ?? [], previous ?? [], Database);
        return (managed.Select(a => a.Name).ToList(), missing);
    }

    [Fact]
    public void Snapshot_accounts_are_managed_sorted()
    {
        var (managed, missing) = Select(["root", "deploy"]);

        Assert.Equal(["deploy", "root"], managed);
        Assert.Empty(missing);
    }

    [Fact]
    public void Include_globs_add_local_accounts()
    {
        var (managed, _) = Select(["root"], include: ["svc-*", "back?p"]);

        Assert.Equal(["backup", "root", "svc-db", "svc-web"], managed);
    }

    [Fact]
    public void Exclude_globs_win_over_snapshot_include_and_previous()
    {
        var (managed, missing) = Select(["root", "deploy"], include: ["svc-*", "deploy*"], exclude: ["root", "*-ci", "svc-db"], previous: ["alice", "root"]);

        Assert.Equal(["alice", "deploy", "svc-web"], managed);
        Assert.Empty(missing);
    }

    [Fact]
    public void Previously_managed_accounts_stay_managed_when_dropped_from_the_registry()
    {
        var (managed, _) = Select(["root"], previous: ["alice", "deploy"]);

        Assert.Equal(["alice", "deploy", "root"], managed);
    }

    [Fact]
    public void Names_without_a_local_account_are_missing()
    {
        var (managed, missing) = Select(["root", "ghost", "zed"], previous: ["gone"]);

        Assert.Equal(["root"], managed);
        Assert.Equal(["ghost", "gone", "zed"], missing);
    }

    [Fact]
    public void Invalid_names_are_reported_missing_and_never_looked_up()
    {
        var database = new FakeAccounts("root");
        var (managed, missing) = AccountSelector.Select(["../etc", "root"], [], [], [], database);

        Assert.Equal(["root"], managed.Select(a => a.Name));
        Assert.Equal(["../etc"], missing);
        Assert.DoesNotContain("../etc", database.Lookups);
    }

    [Fact]
    public void Duplicates_collapse()
    {
        var (managed, _) = Select(["root", "root"], include: ["ro*"], previous: ["root"]);

        Assert.Equal(["root"], managed);
    }

    [Fact]
    public void Without_include_globs_the_database_is_not_enumerated()
    {
        var database = new FakeAccounts("root");
        AccountSelector.Select(["root"], [], [], [], database);

        Assert.Equal(0, database.Enumerations);
    }

    private sealed class FakeAccounts(params string[] names) : IAccountDatabase
    {
        private readonly Dictionary<string, AccountInfo> _accounts = names
            .Select((n, i) => new AccountInfo(n, (uint)i, (uint)i, $"/home/{n}", "/bin/sh"))
            .ToDictionary(a => a.Name, StringComparer.Ordinal);

        public List<string> Lookups { get; } = [];

        public int Enumerations { get; private set; }

        public AccountInfo? Find(string name)
        {
            Lookups.Add(name);
            return _accounts.GetValueOrDefault(name);
        }

        public IEnumerable<AccountInfo> All()
        {
            Enumerations++;
            return _accounts.Values;
        }
    }
}
