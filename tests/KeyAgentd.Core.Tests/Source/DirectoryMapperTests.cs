using KeyAgentd.Core.Source;

namespace KeyAgentd.Core.Tests.Source;

/// <summary>A directory's entries as people and groups, and their merge with the tree: pure, no server.</summary>
public sealed class DirectoryMapperTests
{
    private static readonly string Dave = SshKeygen.Generate("ed25519", comment: "dave@laptop");
    private static readonly string Erin = SshKeygen.Generate("ed25519", comment: "erin@laptop");
    private static readonly SourceLocation FileLocation = new("people/dave.keys", 0);

    private static DirectoryEntry Entry(string dn, params (string Attribute, string Value)[] values) =>
        new(dn, values.GroupBy(v => v.Attribute.ToLowerInvariant()).ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g.Select(v => v.Value).ToList()));

    [Fact]
    public void Members_are_found_by_dn_whatever_the_case_spacing_or_unique_id_suffix()
    {
        var answer = new DirectoryAnswer(
            [Entry("uid=dave,ou=people,dc=example,dc=org", ("uid", "dave"), ("sshPublicKey", Dave)), Entry("uid=erin,ou=people,dc=example,dc=org", ("uid", "erin"), ("sshPublicKey", Erin))],
            [
                Entry("cn=admins,ou=groups,dc=example,dc=org", ("cn", "admins"), ("member", "UID=Dave, OU=People, DC=example, DC=org")),
                Entry("cn=oncall,ou=groups,dc=example,dc=org", ("cn", "oncall"), ("uniqueMember", "uid=erin,ou=people,dc=example,dc=org#'0101'B"), ("uniqueMember", "cn=admins,ou=groups,dc=example,dc=org")),
                Entry("cn=posix,ou=groups,dc=example,dc=org", ("cn", "posix"), ("memberUid", "erin"), ("memberUid", "alice@example.com"), ("memberUid", "ghost")),
            ]);
        var problems = new List<SourceProblem>();
        var (people, groups) = DirectoryMapper.Map(answer, new DirectoryLayout(GroupPrefix: "ldap-"), new HashSet<string> { "alice@example.com" }, problems);

        Assert.Equal(["dave", "erin"], people.Select(p => p.Name));
        Assert.Equal("ldap:uid=dave,ou=people,dc=example,dc=org", people[0].Keys.Single().Source);
        Assert.Equal(["dave"], groups.Single(g => g.Name == "ldap-admins").People.Select(p => p.Name));
        var oncall = groups.Single(g => g.Name == "ldap-oncall");
        Assert.Equal(["erin"], oncall.People.Select(p => p.Name));
        Assert.Equal(["ldap-admins"], oncall.Groups.Select(g => g.Name));
        Assert.Equal(["alice@example.com", "erin"], groups.Single(g => g.Name == "ldap-posix").People.Select(p => p.Name));
        var left = Assert.Single(problems);
        Assert.Equal("ldap-entry", left.Code);
        Assert.Contains("(first: ghost)", left.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Entries_without_one_name_are_skipped_and_a_name_twice_is_an_error()
    {
        var answer = new DirectoryAnswer(
            [
                Entry("uid=a,dc=x", ("sshPublicKey", Dave)),
                Entry("uid=b,dc=x", ("uid", "b1"), ("uid", "b2")),
                Entry("uid=c,dc=x", ("uid", "c"), ("sshPublicKey", Dave)),
                Entry("uid=c,ou=other,dc=x", ("uid", "c"), ("sshPublicKey", Erin)),
            ], []);
        var problems = new List<SourceProblem>();
        var (people, _) = DirectoryMapper.Map(answer, new DirectoryLayout(), new HashSet<string>(), problems);
        Assert.Equal(["c"], people.Select(p => p.Name));
        Assert.Equal(["ldap-entry", "ldap-entry", "duplicate-person"], problems.Select(p => p.Code));
        Assert.Equal(ProblemSeverity.Error, problems[2].Severity);
        Assert.Contains("is also the name of ldap:uid=c,dc=x", problems[2].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_broken_value_is_reported_at_the_entry_attribute_and_value_number()
    {
        var answer = new DirectoryAnswer([Entry("uid=dave,dc=x", ("uid", "dave"), ("sshPublicKey", Dave), ("sshPublicKey", "ssh-ed25519 AAAA dave # colour=blue"))], []);
        var problems = new List<SourceProblem>();
        var (people, _) = DirectoryMapper.Map(answer, new DirectoryLayout(), new HashSet<string>(), problems);
        Assert.Equal(new SourceLocation("ldap:uid=dave,dc=x sshPublicKey", 2), Assert.Single(problems).Location);
        Assert.Equal(new SourceLocation("ldap:uid=dave,dc=x sshPublicKey", 2), people[0].Keys[1].Location);
    }

    [Fact]
    public void A_person_in_both_is_an_error_unless_merged_and_a_group_in_both_always_is()
    {
        string own = SshKeygen.Generate("ecdsa", 256, comment: "dave@file");
        var tree = new SourceTree([new SourcePerson("dave", [new SourceKey(own, null, null, null, FileLocation)], FileLocation)],
            [new SourceGroup("admins", [], [], new SourceLocation("groups.yaml", 1, 1))], [], null, []);
        var ldapLocation = new SourceLocation("ldap:uid=dave,dc=x", 0);
        var ldapPeople = new[] { new SourcePerson("dave", [new SourceKey(Dave, null, null, null, ldapLocation) { Source = "ldap:uid=dave,dc=x" }], ldapLocation) };
        var ldapGroups = new[] { new SourceGroup("admins", [], [], new SourceLocation("ldap:cn=admins,dc=x", 0)) };

        var problems = new List<SourceProblem>();
        var separate = DirectoryMerge.Merge(tree, ldapPeople, ldapGroups, merge: false, problems);
        Assert.Equal(["duplicate-person", "duplicate-group"], problems.Select(p => p.Code));
        Assert.Contains("in people/dave.keys", problems[0].Message, StringComparison.Ordinal);
        Assert.Contains("in groups.yaml:1:1", problems[1].Message, StringComparison.Ordinal);
        Assert.Single(separate.People[0].Keys);

        problems.Clear();
        var merged = DirectoryMerge.Merge(tree, ldapPeople, [], merge: true, problems);
        Assert.Empty(problems);
        Assert.Equal([null, "ldap:uid=dave,dc=x"], merged.People.Single().Keys.Select(k => k.Source));
    }
}
