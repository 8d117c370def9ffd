using KeyAgentd.Core.Source;
using static KeyAgentd.Core.Tests.Source.SourceTrees;

namespace KeyAgentd.Core.Tests.Source;

/// <summary>
/// What the compiler makes of a valid tree: one body per distinct set of matching rules, grants
/// through groups, time-limited grants, the inventory, and the default document's body.
/// </summary>
public class SourceCompilerTests
{
    [Fact]
    public void Hosts_matched_by_the_same_rules_share_one_body()
    {
        var tree = Tree([Person("alice", 1), Person("bob", 2)], [Rule(2, "web-*", "deploy", "alice"), Rule(5, "db-*", "deploy", "bob")],
            hosts: [Host("web-01"), Host("web-02"), Host("db-01")]);
        var compiler = Compile(tree);

        Assert.Same(compiler.Compile(Host("web-01")), compiler.Compile(Host("web-02")));
        Assert.NotSame(compiler.Compile(Host("web-01")), compiler.Compile(Host("db-01")));
        Assert.Equal(["0", "1"], new[] { compiler.SignatureOf(Host("web-01")), compiler.SignatureOf(Host("db-01")) });
        Assert.Equal(["alice"], compiler.Compile(Host("web-01")).Accounts["deploy"].Grants);
        Assert.Equal(["alice"], compiler.Compile(Host("web-01")).People.Keys);
    }

    [Fact]
    public void A_rule_selects_hosts_by_glob_and_by_every_label_it_names()
    {
        var rule = Rule(2, "web-*", "deploy", "alice") with { Labels = new Dictionary<string, string> { ["env"] = "prod" } };
        var tree = Tree([Person("alice", 1)], [rule], hosts: [Host("web-01", ("env", "prod")), Host("web-02", ("env", "dev")), Host("db-01", ("env", "prod"))]);
        var compiler = Compile(tree);

        Assert.Empty(compiler.Problems);
        Assert.Equal(["web-01"], compiler.Hosts.Where(h => compiler.Compile(h).Accounts.Count > 0).Select(h => h.Name));
    }

    [Fact]
    public void A_group_grants_its_members_and_the_members_of_its_groups()
    {
        var tree = Tree([Person("alice", 1), Person("bob", 2), Person("carol", 3)], [Rule(2, "*", "deploy") with { Groups = Refs("ops") }],
            groups: [Group("ops", ["alice"], ["dba"]), Group("dba", ["bob"])]);
        var body = Compile(tree).CompileDefault();

        Assert.Equal(["alice", "bob"], body.Accounts["deploy"].Grants);
        Assert.Equal(["alice", "bob"], body.People.Keys);
        Assert.Equal([KeyLine(2)], body.People["bob"].Keys.Select(k => k.Key));
    }

    [Fact]
    public void A_grant_that_ends_puts_the_persons_keys_on_the_account_with_the_earlier_end()
    {
        var ruleEnds = new DateTimeOffset(2026, 12, 31, 0, 0, 0, TimeSpan.Zero);
        var keyEnds = new DateTimeOffset(2026, 12, 15, 0, 0, 0, TimeSpan.Zero);
        var alice = new SourcePerson("alice", [Key(1, "people/alice.keys", 1), Key(2, "people/alice.keys", 2, keyEnds)], At("people/alice.keys", 0));
        var body = Compile(Tree([alice], [Rule(2, "*", "contractor", "alice") with { NotAfter = ruleEnds }])).CompileDefault();

        var account = body.Accounts["contractor"];
        Assert.Empty(account.Grants);
        Assert.Empty(body.People);
        Assert.Equal([(KeyLine(1), (DateTimeOffset?)ruleEnds, "alice"), (KeyLine(2), keyEnds, "alice")],
            account.Keys.Select(k => (k.Key, k.NotAfter, k.Owner)));
    }

    [Fact]
    public void Two_rules_giving_one_account_different_options_on_the_same_hosts_are_an_error()
    {
        var tree = Tree([Person("alice", 1), Person("bob", 2)],
            [Rule(2, "*", "deploy", "alice") with { Options = "no-pty" }, Rule(7, "*", "deploy", "bob") with { Options = "from=\"10.0.0.0/8\"" }]);
        var compiler = Compile(tree);
        var body = compiler.CompileDefault();

        var problem = Assert.Single(compiler.Problems);
        Assert.Equal("error conflicting-options at access.yaml:7", ProblemCodes(compiler).Single());
        Assert.Contains("access.yaml:2", problem.Message, StringComparison.Ordinal);
        Assert.Equal("no-pty", body.Accounts["deploy"].Options);
    }

    [Fact]
    public void Without_hosts_yaml_the_inventory_is_the_host_names_rules_spell_out_sorted()
    {
        var tree = Tree([Person("alice", 1)], [Rule(2, "web-02", "deploy", "alice"), Rule(4, "web-*", "deploy", "alice"), Rule(6, "db-01", "deploy", "alice")]);

        Assert.Equal(["db-01", "web-02"], Compile(tree).Hosts.Select(h => h.Name));
    }

    [Fact]
    public void The_default_body_holds_only_the_rules_written_for_every_host()
    {
        var tree = Tree([Person("alice", 1), Person("bob", 2)], [Rule(2, "*", "root", "alice"), Rule(4, "web-*", "deploy", "bob")], hosts: [Host("web-01")]);
        var compiler = Compile(tree);

        Assert.Equal(["root"], compiler.CompileDefault().Accounts.Keys);
        Assert.Equal(["deploy", "root"], compiler.Compile(Host("web-01")).Accounts.Keys);
    }

    [Fact]
    public void An_account_key_keeps_its_owner_and_a_key_given_twice_is_written_once()
    {
        var key = Key(5, "access.yaml", 6) with { Owner = "ci" };
        var tree = Tree([], [Rule(2, "*", "deploy") with { Keys = [key] }, Rule(8, "*", "deploy") with { Keys = [key] }]);
        var compiler = Compile(tree);

        Assert.Empty(compiler.Problems);
        Assert.Equal([(KeyLine(5), "ci")], compiler.CompileDefault().Accounts["deploy"].Keys.Select(k => (k.Key, k.Owner)));
    }
}
