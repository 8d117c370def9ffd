using KeyAgentd.Core.AuthorizedKeys;
using KeyAgentd.Core.Policy;
using KeyAgentd.Core.Source;
using static KeyAgentd.Core.Tests.Source.SourceTrees;

namespace KeyAgentd.Core.Tests.Source;

/// <summary>
/// The checks of a source that need no host (SourceValidator, run when the compiler is built): each
/// finding with its stable code, its severity and the place in the tree it points at.
/// </summary>
public class SourceValidatorTests
{
    [Fact]
    public void A_tree_whose_names_all_resolve_has_no_problems()
    {
        var tree = Tree([Person("alice", 1), Person("bob", 2)], [Rule(2, "web-*", "deploy", "alice") with { Groups = Refs("ops") }],
            hosts: [Host("web-01")], groups: [Group("ops", ["bob"])]);

        Assert.Empty(Compile(tree).Problems);
    }

    [Fact]
    public void A_key_two_people_claim_is_an_error_at_the_second_line_naming_the_first()
    {
        var compiler = Compile(Tree([Person("alice", 1), Person("bob", 2, 1)], []));

        var problem = Assert.Single(compiler.Problems);
        Assert.Equal("error shared-key at people/bob.keys:2", ProblemCodes(compiler).Single());
        Assert.Contains("also claimed by alice (people/alice.keys:1)", problem.Message, StringComparison.Ordinal);
        Assert.True(compiler.HasErrors);
    }

    [Fact]
    public void A_key_one_person_lists_twice_is_only_a_warning()
    {
        var compiler = Compile(Tree([Person("alice", 1, 1)], []));

        Assert.Equal(["warning duplicate-key at people/alice.keys:2"], ProblemCodes(compiler));
        Assert.False(compiler.HasErrors);
    }

    [Fact]
    public void A_key_the_policy_refuses_is_an_error_with_the_policys_code_naming_its_owner()
    {
        var rsaOnly = new KeyPolicyOptions { AllowedKeyTypes = ["ssh-rsa"] };
        var compiler = Compile(Tree([Person("alice", 1)], []), rsaOnly);

        var problem = Assert.Single(compiler.Problems);
        Assert.Equal(("key-type-not-allowed", ProblemSeverity.Error, At("people/alice.keys")), (problem.Code, problem.Severity, problem.Location));
        Assert.StartsWith("alice: ", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_revoked_key_is_only_a_warning_since_it_never_reaches_a_host()
    {
        var key = Key(1, "people/alice.keys");
        var compiler = Compile(Tree([Person("alice", 1)], [], revoked: [new RevokedEntry(key.Key!.Sha256Fingerprint, At("revoked.yaml", 3))]));

        Assert.Equal(["warning revoked at people/alice.keys:1"], ProblemCodes(compiler));
        Assert.Equal([key.Key.Sha256Fingerprint], compiler.Revoked);
    }

    [Fact]
    public void A_person_file_whose_name_is_not_a_name_is_an_error()
    {
        Assert.Equal(["error invalid-person-name at people/.hidden.keys"], ProblemCodes(Compile(Tree([Person(".hidden", 1)], []))));
    }

    [Fact]
    public void Names_that_do_not_resolve_are_errors_where_they_are_written()
    {
        var rule = new SourceRule(At("access.yaml", 4))
        {
            Hosts = Refs("*"),
            Accounts = Refs("deploy"),
            People = [new SourceRef("carol", At("access.yaml", 7))],
            Groups = [new SourceRef("nobody-group", At("access.yaml", 8))],
        };
        var compiler = Compile(Tree([Person("alice", 1)], [rule], groups: [Group("ops", ["dave"])]));

        Assert.Equal(
            ["error unknown-person at groups.yaml:1", "error unknown-person at access.yaml:7", "error unknown-group at access.yaml:8"],
            ProblemCodes(compiler));
    }

    [Fact]
    public void A_rule_without_a_host_selector_is_an_error_saying_how_to_mean_every_host()
    {
        var rule = new SourceRule(At("access.yaml", 2)) { Accounts = Refs("deploy"), People = Refs("alice") };
        var compiler = Compile(Tree([Person("alice", 1)], [rule]));

        var problem = Assert.Single(compiler.Problems);
        Assert.Equal("error no-host-selector at access.yaml:2", ProblemCodes(compiler).Single());
        Assert.Contains("hosts: [\"*\"]", problem.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void A_label_selector_needs_an_inventory_and_a_selector_must_match_a_host_in_it()
    {
        var byLabel = new SourceRule(At("access.yaml", 2)) { Labels = new Dictionary<string, string> { ["env"] = "prod" }, Accounts = Refs("deploy"), People = Refs("alice") };
        Assert.Equal(["error no-inventory at access.yaml:2"], ProblemCodes(Compile(Tree([Person("alice", 1)], [byLabel]))));

        var tree = Tree([Person("alice", 1)], [byLabel, Rule(9, "db-*", "deploy", "alice")], hosts: [Host("web-01", ("env", "dev"))]);
        Assert.Equal(["error no-matching-host at access.yaml:2", "error no-matching-host at access.yaml:9"], ProblemCodes(Compile(tree)));
    }

    [Fact]
    public void Inventory_entries_must_be_host_names_and_listed_once()
    {
        var tree = Tree([Person("alice", 1)], [Rule(2, "*", "deploy", "alice")],
            hosts: [Host("web-01"), Host("-bad"), new SourceHost("web-01", new Dictionary<string, string>(), At("hosts.yaml", 5))]);

        Assert.Equal(["error invalid-value at hosts.yaml:1", "error invalid-value at hosts.yaml:5"], ProblemCodes(Compile(tree)));
    }

    [Fact]
    public void A_group_defined_twice_is_an_error()
    {
        var tree = Tree([Person("alice", 1)], [], groups: [Group("ops", ["alice"]), Group("ops", ["alice"]) with { Location = At("groups.yaml", 9) }]);

        Assert.Equal(["error invalid-value at groups.yaml:9"], ProblemCodes(Compile(tree)));
    }

    [Fact]
    public void A_rule_needs_accounts_and_each_must_be_a_valid_account_name()
    {
        var none = Rule(2, "*", "deploy", "alice") with { Accounts = [] };
        Assert.Equal(["error invalid-value at access.yaml:2"], ProblemCodes(Compile(Tree([Person("alice", 1)], [none]))));

        var bad = Rule(2, "*", "deploy", "alice") with { Accounts = [new SourceRef("-rf", At("access.yaml", 3))] };
        Assert.Equal(["error invalid-account-name at access.yaml:3"], ProblemCodes(Compile(Tree([Person("alice", 1)], [bad]))));
    }

    [Fact]
    public void Rule_options_must_parse_and_be_allowed_by_the_policy()
    {
        var options = At("access.yaml", 5);
        var unparsable = Rule(2, "*", "deploy", "alice") with { Options = "from=\"10.0.0.0/8", OptionsLocation = options };
        Assert.Equal(["error malformed-options at access.yaml:5"], ProblemCodes(Compile(Tree([Person("alice", 1)], [unparsable]))));

        var forbidden = Rule(2, "*", "deploy", "alice") with { Options = "no-pty,command=\"/bin/true\"", OptionsLocation = options };
        var policy = new KeyPolicyOptions { AllowedOptions = ["no-pty"] };
        var compiler = Compile(Tree([Person("alice", 1)], [forbidden]), policy);
        var problem = Assert.Single(compiler.Problems);
        Assert.Equal(("option-not-allowed", options), (problem.Code, problem.Location));
        Assert.Contains("\"command\"", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_directory_key_the_policy_refuses_is_a_warning_and_left_out_of_the_documents()
    {
        string dn = "uid=alice,ou=people,dc=example,dc=org";
        var refused = Key(1, "ldap:" + dn) with { Source = DirectoryLayout.SourceOf(dn) };
        var kept = new WireBuilder().String("ssh-rsa").String([1, 0, 1]).String([0, .. Enumerable.Repeat((byte)0xC5, 256)]).ToBase64();
        var rsa = new SourceKey("ssh-rsa " + kept + " alice", null, null, AuthorizedKeyLineParser.Parse("ssh-rsa " + kept + " alice").Key, At("ldap:" + dn))
        {
            Source = DirectoryLayout.SourceOf(dn),
        };
        var alice = new SourcePerson("alice", [refused, rsa], At("ldap:" + dn, 0));
        var compiler = Compile(Tree([alice], [Rule(2, "*", "deploy", "alice")]), new KeyPolicyOptions { AllowedKeyTypes = ["ssh-rsa"] });

        var problem = Assert.Single(compiler.Problems);
        Assert.Equal(("key-type-not-allowed", ProblemSeverity.Warning), (problem.Code, problem.Severity));
        Assert.EndsWith("left out of the build", problem.Message, StringComparison.Ordinal);
        Assert.Equal([rsa.Line], compiler.CompileDefault().People["alice"].Keys.Select(k => k.Key));
    }

    [Fact]
    public void A_group_cycle_is_reported_once_at_the_edge_that_closes_it()
    {
        var a = new SourceGroup("a", Refs("alice"), [new SourceRef("b", At("groups.yaml", 3))], At("groups.yaml", 1));
        var b = new SourceGroup("b", [], [new SourceRef("a", At("groups.yaml", 6))], At("groups.yaml", 4));
        var compiler = Compile(Tree([Person("alice", 1)], [], groups: [a, b]));

        var problem = Assert.Single(compiler.Problems);
        Assert.Equal("error group-cycle at groups.yaml:6", ProblemCodes(compiler).Single());
        Assert.Contains("a → b → a", problem.Message, StringComparison.Ordinal);
    }
}
