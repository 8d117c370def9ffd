using KeyAgentd.Core.Policy;
using KeyAgentd.Core.Source;

namespace KeyAgentd.Tests.RegistrySource;

/// <summary>Every problem `registry validate` reports: where (file:line[:column]), the stable code, and a fix.</summary>
public sealed class SourceValidationTests
{
    [Fact]
    public void The_standard_source_is_clean()
    {
        using var source = SourceFixture.Standard();
        var compiler = source.Compile();
        Assert.Empty(compiler.Problems);
        Assert.Equal(["dev-01", "web-01", "web-02"], compiler.Hosts.Select(h => h.Name));
    }

    [Theory]
    [InlineData("dsa", 1024, "dsa-not-allowed")]
    [InlineData("rsa", 1024, "rsa-too-small")]
    public void Weak_keys_are_refused_with_a_fix(string type, int bits, string code)
    {
        using var source = SourceFixture.Standard().Person("bob@example.com", "# bob", SshKeygen.Generate(type, bits));
        var problem = Single(source, code);
        Assert.Equal(new SourceLocation("people/bob@example.com.keys", 2), problem.Location);
        Assert.Equal(ProblemSeverity.Error, problem.Severity);
        Assert.Contains("ssh-keygen -t ed25519", problem.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void A_pasted_private_key_is_reported_once_and_its_body_skipped()
    {
        using var source = SourceFixture.Standard();
        string path = SshKeygen.GeneratePrivate(source.Scratch, "pasted");
        source.Person("bob@example.com", File.ReadAllText(path).TrimEnd('\n'), SourceFixture.Bob);
        var compiler = source.Compile();
        var problem = Assert.Single(compiler.Problems);
        Assert.Equal("private-key", problem.Code);
        Assert.Equal(1, problem.Location.Line);
        Assert.Contains("PRIVATE", problem.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void A_certificate_is_refused()
    {
        using var source = SourceFixture.Standard().Person("bob@example.com", SshKeygen.SignUserCertificate(SourceFixture.Bob, "bob"));
        Assert.Equal(1, Single(source, "certificate-not-allowed").Location.Line);
    }

    [Fact]
    public void Bad_base64_is_refused()
    {
        string[] parts = SourceFixture.Bob.Split(' ');
        using var source = SourceFixture.Standard().Person("bob@example.com", $"{parts[0]} {parts[1][..20]}!{parts[1][21..]} {parts[2]}");
        Assert.Equal(1, Single(source, "bad-base64").Location.Line);
    }

    [Fact]
    public void A_key_split_over_lines_is_joined_with_a_warning_showing_the_line()
    {
        string[] parts = SourceFixture.Bob.Split(' ');
        using var source = SourceFixture.Standard().Person("bob@example.com", "# bob", $"{parts[0]} {parts[1][..30]}", $"{parts[1][30..]} {parts[2]} # label=desk");
        var compiler = source.Compile();
        var problem = Assert.Single(compiler.Problems);
        Assert.Equal(("key-split-over-lines", ProblemSeverity.Warning, 2), (problem.Code, problem.Severity, problem.Location.Line));
        Assert.Contains(SourceFixture.Bob, problem.Fix, StringComparison.Ordinal);
        var key = Assert.Single(compiler.Source.People.Single(p => p.Name == "bob@example.com").Keys);
        Assert.Equal(("desk", SourceFixture.Bob), (key.Label, key.Line));
    }

    [Fact]
    public void An_rfc4716_block_is_converted_with_a_warning()
    {
        using var source = SourceFixture.Standard().Person("bob@example.com", SshKeygen.ExportRfc4716(SourceFixture.Bob).TrimEnd('\n'));
        var compiler = source.Compile();
        var problem = Assert.Single(compiler.Problems);
        Assert.Equal(("needs-conversion", ProblemSeverity.Warning), (problem.Code, problem.Severity));
        Assert.Equal(SourceFixture.Bob.Split(' ')[1], compiler.Source.People.Single(p => p.Name == "bob@example.com").Keys[0].Line.Split(' ')[1]);
    }

    [Fact]
    public void A_key_claimed_by_two_people_is_a_shared_key()
    {
        using var source = SourceFixture.Standard().Person("bob@example.com", SourceFixture.Alice);
        var problem = Single(source, "shared-key");
        Assert.Equal("people/bob@example.com.keys", problem.Location.File);
        Assert.Contains("alice@example.com", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_grant_naming_an_unknown_person_or_group_points_at_the_name()
    {
        using var source = SourceFixture.Standard().File("access.yaml", """
            rules:
              - hosts: ["*"]
                accounts: [root]
                people: [alice@example.com, mallory@example.com]
                groups: [opz]
            """);
        var person = Single(source, "unknown-person");
        Assert.Equal(new SourceLocation("access.yaml", 4, 33), person.Location);
        var group = Single(source, "unknown-group");
        Assert.Equal(new SourceLocation("access.yaml", 5, 14), group.Location);
    }

    [Fact]
    public void A_group_cycle_is_reported_and_the_rest_still_resolves()
    {
        using var source = SourceFixture.Standard().File("groups.yaml", """
            ops:
              people: [alice@example.com]
              groups: [admins]
            admins:
              people: [bob@example.com]
              groups: [ops]
            dev: [carol@example.com]
            """);
        var problem = Single(source, "group-cycle");
        Assert.Equal("groups.yaml", problem.Location.File);
        Assert.Contains("ops → admins → ops", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_rule_matching_no_inventory_host_is_an_error()
    {
        using var source = SourceFixture.Standard().File("access.yaml", """
            rules:
              - hosts: ["db-*"]
                accounts: [root]
                groups: [ops]
              - labels: { env: staging }
                accounts: [root]
                groups: [ops]
            """);
        var problems = source.Compile().Problems.Where(p => p.Code == "no-matching-host").ToList();
        Assert.Equal([2, 5], problems.Select(p => p.Location.Line));
    }

    [Fact]
    public void Without_hosts_yaml_the_inventory_is_the_names_rules_spell_out_and_labels_need_one()
    {
        using var source = SourceFixture.Standard().Delete("hosts.yaml").File("access.yaml", """
            rules:
              - hosts: [web-01, "db-*"]
                accounts: [root]
                groups: [ops]
              - labels: { env: dev }
                accounts: [dev]
                groups: [dev]
            """);
        var compiler = source.Compile();
        Assert.Equal(["web-01"], compiler.Hosts.Select(h => h.Name));
        Assert.Equal(5, Assert.Single(compiler.Problems, p => p.Code == "no-inventory").Location.Line);
    }

    [Fact]
    public void Options_the_policy_does_not_allow_are_refused_at_the_options()
    {
        using var source = SourceFixture.Standard().File("access.yaml", """
            rules:
              - hosts: ["*"]
                accounts: [root]
                groups: [ops]
                options: 'command="/bin/backup"'
            """);
        var problem = source.Compile().Problems.First(p => p.Code == "option-not-allowed");
        Assert.Equal(new SourceLocation("access.yaml", 5, 14), problem.Location);
        Assert.Contains("Policy:AllowedOptions", problem.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void A_persons_from_against_the_accounts_from_is_refused_at_the_key_line()
    {
        using var source = SourceFixture.Standard()
            .Person("bob@example.com", $"from=\"192.168.0.0/16\" {SourceFixture.Bob}")
            .File("access.yaml", """
                rules:
                  - hosts: ["*"]
                    accounts: [root]
                    groups: [ops]
                    options: 'from="10.0.0.0/8"'
                """);
        var problem = Single(source, "option-widens-rule");
        Assert.Equal(new SourceLocation("people/bob@example.com.keys", 1), problem.Location);
        Assert.Contains("bob@example.com", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_persons_own_permitopen_outside_the_rules_is_an_error_at_the_key_line_with_a_fix()
    {
        using var source = SourceFixture.Standard()
            .Person("bob@example.com", "# bob", $"permitopen=\"127.0.0.1:2301\" {SourceFixture.Bob} # label=desk")
            .File("access.yaml", """
                rules:
                  - hosts: ["*"]
                    accounts: [root]
                    groups: [ops]
                    options: 'permitopen="127.0.0.1:2300"'
                """);
        var problem = Single(source, "option-widens-rule");
        Assert.Equal(ProblemSeverity.Error, problem.Severity);
        Assert.Equal(new SourceLocation("people/bob@example.com.keys", 2), problem.Location);
        Assert.Contains("not within the rule's permitopen=\"127.0.0.1:2300\"", problem.Message, StringComparison.Ordinal);
        Assert.Contains("access.yaml:5", problem.Message, StringComparison.Ordinal);
        Assert.Contains("remove the option from the key line", problem.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void A_persons_own_narrower_options_are_clean()
    {
        using var source = SourceFixture.Standard()
            .Person("bob@example.com", $"no-pty,permitopen=\"127.0.0.1:2300\" {SourceFixture.Bob}")
            .File("access.yaml", """
                rules:
                  - hosts: ["*"]
                    accounts: [root]
                    groups: [ops]
                    options: 'no-agent-forwarding,permitopen="127.0.0.1:2300",permitopen="127.0.0.1:2301"'
                """);
        Assert.Empty(source.Compile().Problems);
    }

    [Fact]
    public void Two_rules_giving_one_account_different_options_on_a_host_conflict()
    {
        using var source = SourceFixture.Standard().File("access.yaml", """
            rules:
              - hosts: ["*"]
                accounts: [root]
                people: [alice@example.com]
              - hosts: ["web-*"]
                accounts: [root]
                people: [bob@example.com]
                options: no-pty
            """);
        Assert.Equal(5, Single(source, "conflicting-options").Location.Line);
    }

    [Theory]
    [InlineData("accounts: [\"-rf\"]", "invalid-account-name")]
    [InlineData("accounts: []", "invalid-value")]
    [InlineData("frobnicate: yes", "unknown-field")]
    public void Rule_shape_problems(string line, string code)
    {
        using var source = SourceFixture.Standard().File("access.yaml", $"""
            rules:
              - hosts: ["*"]
                people: [alice@example.com]
                {line}
            """);
        Assert.Contains(source.Compile().Problems, p => p.Code == code && p.Location.File == "access.yaml");
    }

    [Fact]
    public void A_rule_without_selector_is_refused()
    {
        using var source = SourceFixture.Standard().File("access.yaml", """
            rules:
              - accounts: [root]
                people: [alice@example.com]
            """);
        Assert.Equal(2, Single(source, "no-host-selector").Location.Line);
    }

    [Fact]
    public void Yaml_syntax_errors_name_file_line_and_column()
    {
        using var source = SourceFixture.Standard().File("groups.yaml", "ops:\n  people: [alice@example.com\ndev: [carol]\n");
        var problem = Single(source, "invalid-yaml");
        Assert.Equal("groups.yaml", problem.Location.File);
        Assert.True(problem.Location.Line >= 2 && problem.Location.Column > 0, problem.Location.ToString());
    }

    [Fact]
    public void Revoked_accepts_fingerprints_and_key_lines_and_refuses_the_rest()
    {
        using var source = SourceFixture.Standard().File("revoked", $"# stolen\nSHA256:{new string('A', 43)}\n{SourceFixture.Bob}\nnot a fingerprint\n");
        var compiler = source.Compile();
        Assert.Equal(new SourceLocation("revoked", 4), Assert.Single(compiler.Problems, p => p.Code == "invalid-fingerprint").Location);
        Assert.Equal(2, compiler.Revoked.Count);
        // Bob's key is now revoked: a warning on his file, never an error.
        var revoked = Assert.Single(compiler.Problems, p => p.Code == "revoked");
        Assert.Equal(ProblemSeverity.Warning, revoked.Severity);
    }

    [Fact]
    public void Bad_key_attributes_are_errors_and_a_hash_inside_a_comment_is_not_an_attribute()
    {
        using var source = SourceFixture.Standard()
            .Person("bob@example.com", $"{SourceFixture.Bob} # colour=blue", $"{SourceFixture.Carol.Split(' ')[0]} {SourceFixture.Carol.Split(' ')[1]} carol #2 # not_after=tomorrow");
        var problems = source.Compile().Problems.Where(p => p.Code == "bad-key-attribute").ToList();
        Assert.Equal([1, 2], problems.Select(p => p.Location.Line));
    }

    [Fact]
    public void An_expired_key_is_a_warning()
    {
        using var source = SourceFixture.Standard().Person("bob@example.com", $"{SourceFixture.Bob} # not_after=2020-01-01");
        var problem = Single(source, "expired");
        Assert.Equal(ProblemSeverity.Warning, problem.Severity);
    }

    [Fact]
    public void A_policy_with_a_higher_rsa_minimum_is_what_validate_applies()
    {
        using var source = SourceFixture.Standard().Person("bob@example.com", SshKeygen.Generate("rsa", 2048));
        Assert.Empty(source.Compile().Problems);
        Assert.Equal("rsa-too-small", Assert.Single(source.Compile(new KeyPolicy(new KeyPolicyOptions { MinRsaBits = 3072 }, TimeZoneInfo.Utc)).Problems).Code);
    }

    private static SourceProblem Single(SourceFixture source, string code)
    {
        var compiler = source.Compile();
        return Assert.Single(compiler.Problems, p => p.Code == code);
    }
}
