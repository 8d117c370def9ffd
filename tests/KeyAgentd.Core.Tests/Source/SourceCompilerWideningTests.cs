using KeyAgentd.Core.AuthorizedKeys;
using KeyAgentd.Core.Policy;
using KeyAgentd.Core.Source;

namespace KeyAgentd.Core.Tests.Source;

/// <summary>
/// A person's key options that widen the access rule, from each place a person's key line can come
/// from: reported at the key's own line, an error for a key written in the tree or fetched from a
/// .keys URL, a warning for a directory (LDAP) key, which is edited outside the reviewed repository
/// and which every host then refuses.
/// </summary>
public class SourceCompilerWideningTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    private static SourceProblem CompileOne(SourceKey key)
    {
        var person = new SourcePerson("bob", [key], new SourceLocation("people/bob.keys", 0));
        var rule = new SourceRule(new SourceLocation("access.yaml", 2))
        {
            Hosts = [new SourceRef("*", new SourceLocation("access.yaml", 3))],
            Accounts = [new SourceRef("deploy", new SourceLocation("access.yaml", 4))],
            People = [new SourceRef("bob", new SourceLocation("access.yaml", 5))],
            Options = "permitopen=\"127.0.0.1:2300\"",
            OptionsLocation = new SourceLocation("access.yaml", 6, 14),
        };
        var compiler = new SourceCompiler(new SourceTree([person], [], [rule], null, []), new KeyPolicy(null, TimeZoneInfo.Utc), Now);
        compiler.CheckDocuments(includeDefault: true);
        return Assert.Single(compiler.Problems);
    }

    private static SourceKey Key(SourceLocation location, string? source)
    {
        string line = "permitopen=\"127.0.0.1:2301\" " + SshKeygen.Generate("ed25519", comment: "bob");
        return new SourceKey(line, null, null, AuthorizedKeyLineParser.Parse(line).Key, location) { Source = source };
    }

    [Fact]
    public void A_keys_url_key_is_an_error_at_its_line_in_the_fetched_file()
    {
        var problem = CompileOne(Key(new SourceLocation("https://example.com/bob.keys", 1), "https://example.com/bob.keys"));
        Assert.Equal(("option-widens-rule", ProblemSeverity.Error), (problem.Code, problem.Severity));
        Assert.Equal(new SourceLocation("https://example.com/bob.keys", 1), problem.Location);
        Assert.Contains("access.yaml:6:14", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_directory_key_is_a_warning_saying_the_hosts_refuse_it()
    {
        var problem = CompileOne(Key(new SourceLocation("ldap:uid=bob,ou=people,dc=example,dc=org", 1), DirectoryLayout.SourceOf("uid=bob,ou=people,dc=example,dc=org")));
        Assert.Equal(("option-widens-rule", ProblemSeverity.Warning), (problem.Code, problem.Severity));
        Assert.Contains("the hosts refuse this key", problem.Message, StringComparison.Ordinal);
    }
}
