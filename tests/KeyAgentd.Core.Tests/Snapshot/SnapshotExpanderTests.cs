using KeyAgentd.Core.AuthorizedKeys;
using KeyAgentd.Core.Policy;
using KeyAgentd.Core.Snapshot;

namespace KeyAgentd.Core.Tests.Snapshot;

public class SnapshotExpanderTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);
    private static readonly KeyPolicy Policy = new(null, TimeZoneInfo.Utc);

    private static string Fingerprint(string line) => AuthorizedKeyLineParser.Parse(line).Key!.Sha256Fingerprint;

    private static RegistrySnapshot Snapshot(Dictionary<string, RegistryPerson>? people = null, Dictionary<string, RegistryAccount>? accounts = null, string[]? revoked = null) =>
        new(RegistrySnapshot.SchemaV1, 1, null, null, people ?? [], accounts ?? [], revoked ?? []);

    private static RegistryAccount Account(string[]? grants = null, string? options = null, params RegistryKey[] keys) => new(grants ?? [], options, keys);

    private static RegistryKey Key(string text, string? label = null, DateTimeOffset? notAfter = null, string? owner = null) => new(text, label, notAfter, owner);

    /// <summary>One person "p" granted to account "acct", holding the given keys.</summary>
    private static DesiredState ExpandPerson(params RegistryKey[] keys) =>
        SnapshotExpander.Expand(Snapshot(new() { ["p"] = new RegistryPerson(keys) }, new() { ["acct"] = Account(["p"]) }), Policy, Now);

    [Fact]
    public void Grants_bring_each_persons_keys_to_each_account()
    {
        var state = SnapshotExpander.Expand(RegistryJson.Parse(RegistryJson.ReadmeExample()), Policy, Now);

        Assert.Empty(state.Rejections);
        var deploy = state.Accounts["deploy"];
        Assert.Equal(["alice@example.com", "bob@example.com", "ci"], deploy.Select(k => k.Owner));
        Assert.Equal([Fingerprint(RegistryJson.Alice), Fingerprint(RegistryJson.Bob), Fingerprint(RegistryJson.CiBot)], deploy.Select(k => k.Fingerprint));
        var root = Assert.Single(state.Accounts["root"]);
        Assert.Equal("alice@example.com", root.Owner);
        Assert.Equal("laptop", root.Label);
        Assert.Equal("alice laptop", root.Comment);
    }

    [Fact]
    public void Account_options_come_first_then_the_expiry_from_not_after()
    {
        var state = SnapshotExpander.Expand(RegistryJson.Parse(RegistryJson.ReadmeExample()), Policy, Now);

        var alice = state.Accounts["deploy"].Single(k => k.Owner == "alice@example.com");
        Assert.Equal("no-agent-forwarding,from=\"10.0.0.0/8\",expiry-time=\"20270601000000Z\"", alice.Options.Render());
        Assert.StartsWith("no-agent-forwarding,from=\"10.0.0.0/8\",expiry-time=\"20270601000000Z\" ssh-ed25519 AAAA", alice.Render());
        Assert.EndsWith(" alice laptop", alice.Render());
        Assert.Equal("no-agent-forwarding,from=\"10.0.0.0/8\"", state.Accounts["deploy"].Single(k => k.Owner == "ci").Options.Render());
    }

    [Fact]
    public void Key_without_comment_gets_its_owner_as_comment()
    {
        string bare = string.Join(' ', SshKeygen.Generate("ed25519", 0, "to strip").Split(' ')[..2]);
        var state = SnapshotExpander.Expand(Snapshot(accounts: new() { ["deploy"] = Account(keys: Key(bare, owner: "ci")) }), Policy, Now);

        var key = Assert.Single(state.Accounts["deploy"]);
        Assert.Equal("ci", key.Comment);
        Assert.EndsWith(" ci", key.Render());
    }

    [Fact]
    public void Account_key_without_owner_is_owned_by_the_account()
    {
        var state = SnapshotExpander.Expand(Snapshot(accounts: new() { ["deploy"] = Account(keys: Key(RegistryJson.CiBot)) }), Policy, Now);
        Assert.Equal("deploy", Assert.Single(state.Accounts["deploy"]).Owner);
    }

    [Fact]
    public void Revoked_key_is_rejected_and_not_written()
    {
        var snapshot = Snapshot(new() { ["p"] = new RegistryPerson([Key(RegistryJson.Revoked), Key(RegistryJson.CiBot)]) },
            new() { ["acct"] = Account(["p"]) }, [RegistryJson.RevokedFingerprint]);

        var state = SnapshotExpander.Expand(snapshot, Policy, Now);

        Assert.Equal([Fingerprint(RegistryJson.CiBot)], state.Accounts["acct"].Select(k => k.Fingerprint));
        var rejection = Assert.Single(state.Rejections);
        Assert.Equal(ReasonCode.Revoked, rejection.Verdict.Reason);
        Assert.Equal(RegistryJson.RevokedFingerprint, rejection.Fingerprint);
        Assert.Equal("p", rejection.Owner);
        Assert.Equal("acct", rejection.Account);
    }

    [Theory]
    [InlineData("dsa", 1024, ReasonCode.DsaNotAllowed)]
    [InlineData("rsa", 1024, ReasonCode.RsaTooSmall)]
    public void Weak_keys_are_rejected_naming_their_owner(string type, int bits, ReasonCode reason)
    {
        string line = SshKeygen.Generate(type, bits, "weak");
        var state = ExpandPerson(Key(line, label: "old laptop"));

        Assert.Empty(state.Accounts["acct"]);
        var rejection = Assert.Single(state.Rejections);
        Assert.Equal(reason, rejection.Verdict.Reason);
        Assert.Equal("p", rejection.Owner);
        Assert.Equal("old laptop", rejection.Label);
        Assert.Equal(Fingerprint(line), rejection.Fingerprint);
        Assert.Contains(rejection.Owner, rejection.ToString());
    }

    [Fact]
    public void Expired_not_after_drops_the_key()
    {
        var state = ExpandPerson(Key(RegistryJson.CiBot, notAfter: Now.AddMinutes(-1)));

        Assert.Empty(state.Accounts["acct"]);
        var rejection = Assert.Single(state.Rejections);
        Assert.Equal(ReasonCode.Expired, rejection.Verdict.Reason);
        Assert.Contains("not_after", rejection.Verdict.Message);
    }

    [Fact]
    public void Future_not_after_is_written_as_sshd_expiry_time()
    {
        var notAfter = new DateTimeOffset(2027, 1, 2, 3, 4, 5, TimeSpan.FromHours(2));
        var key = Assert.Single(ExpandPerson(Key(RegistryJson.CiBot, notAfter: notAfter)).Accounts["acct"]);

        Assert.Equal("expiry-time=\"20270102010405Z\"", key.Options.Render());
        Assert.Equal(notAfter, key.NotAfter);
        Assert.Equal(notAfter, AuthorizedKeyLineParser.Parse(key.Render()).Options.ExpiryTime(TimeZoneInfo.Utc));
    }

    [Fact]
    public void Rfc4716_key_text_from_a_portal_is_converted()
    {
        string original = SshKeygen.Generate("ed25519", 0, "putty user");
        var key = Assert.Single(ExpandPerson(Key(SshKeygen.ExportRfc4716(original))).Accounts["acct"]);
        Assert.Equal(Fingerprint(original), key.Fingerprint);
    }

    [Fact]
    public void Key_text_with_surrounding_newlines_is_accepted()
    {
        var key = Assert.Single(ExpandPerson(Key("\n" + RegistryJson.CiBot + "\r\n")).Accounts["acct"]);
        Assert.Equal(Fingerprint(RegistryJson.CiBot), key.Fingerprint);
    }

    [Fact]
    public void Newline_smuggling_a_second_key_is_rejected()
    {
        string evil = SshKeygen.Generate("ed25519", 0, "evil");
        var state = ExpandPerson(Key(RegistryJson.CiBot + "\n" + evil));

        Assert.Empty(state.Accounts["acct"]);
        var rejection = Assert.Single(state.Rejections);
        Assert.Equal(ReasonCode.ControlCharacter, rejection.Verdict.Reason);
        Assert.DoesNotContain('\n', rejection.KeyText);
        Assert.Contains("\\n", rejection.KeyText);
    }

    [Fact]
    public void Newline_smuggling_options_after_a_bare_key_is_rejected()
    {
        string bare = string.Join(' ', RegistryJson.CiBot.Split(' ')[..2]);
        var state = ExpandPerson(Key(bare + "\ncommand=\"/bin/sh\" " + bare));
        Assert.Equal(ReasonCode.ControlCharacter, Assert.Single(state.Rejections).Verdict.Reason);
    }

    [Fact]
    public void Rejected_key_text_is_escaped_and_capped()
    {
        string junk = "ssh-ed25519 " + new string('A', 500) + "\u001b[2J";
        var rejection = Assert.Single(ExpandPerson(Key(junk)).Rejections);

        Assert.True(rejection.KeyText.Length <= KeyRejection.MaxKeyTextLength);
        Assert.EndsWith("…", rejection.KeyText);
        Assert.Null(rejection.Fingerprint);
    }

    [Theory]
    [InlineData("from=\"10.0.0.0/8\"", "from=\"192.168.0.0/16\"")]
    [InlineData("no-pty", "pty")]
    public void Key_options_that_undo_the_accounts_are_rejected(string accountOptions, string keyOptions)
    {
        var snapshot = Snapshot(accounts: new() { ["acct"] = Account(options: accountOptions, keys: Key(keyOptions + " " + RegistryJson.CiBot)) });

        var state = SnapshotExpander.Expand(snapshot, Policy, Now);

        Assert.Empty(state.Accounts["acct"]);
        Assert.Equal(ReasonCode.OptionWidensRule, Assert.Single(state.Rejections).Verdict.Reason);
    }

    [Fact]
    public void Same_option_on_account_and_key_is_written_once()
    {
        var snapshot = Snapshot(accounts: new() { ["acct"] = Account(options: "no-pty,from=\"10.0.0.0/8\"", keys: Key("from=\"10.0.0.0/8\",no-port-forwarding " + RegistryJson.CiBot)) });
        var key = Assert.Single(SnapshotExpander.Expand(snapshot, Policy, Now).Accounts["acct"]);
        Assert.Equal("no-pty,from=\"10.0.0.0/8\",no-port-forwarding", key.Options.Render());
    }

    [Fact]
    public void Malformed_account_options_reject_every_key_of_that_account()
    {
        var snapshot = Snapshot(new() { ["p"] = new RegistryPerson([Key(RegistryJson.Alice)]) },
            new() { ["acct"] = Account(["p"], "from=unquoted", Key(RegistryJson.CiBot)) });

        var state = SnapshotExpander.Expand(snapshot, Policy, Now);

        Assert.Empty(state.Accounts["acct"]);
        Assert.Equal(2, state.Rejections.Count);
        Assert.All(state.Rejections, r => Assert.Equal(ReasonCode.MalformedOptions, r.Verdict.Reason));
    }

    [Fact]
    public void Options_outside_the_policy_are_rejected()
    {
        var state = ExpandPerson(Key("command=\"/bin/sh\" " + RegistryJson.CiBot));
        Assert.Equal(ReasonCode.OptionNotAllowed, Assert.Single(state.Rejections).Verdict.Reason);
    }

    [Fact]
    public void Same_key_granted_twice_appears_once()
    {
        var snapshot = Snapshot(
            new() { ["p"] = new RegistryPerson([Key(RegistryJson.CiBot, label: "via person")]), ["q"] = new RegistryPerson([Key(RegistryJson.CiBot)]) },
            new() { ["acct"] = Account(["p", "q", "p"], null, Key(RegistryJson.CiBot, owner: "ci")) });

        var state = SnapshotExpander.Expand(snapshot, Policy, Now);

        var key = Assert.Single(state.Accounts["acct"]);
        Assert.Equal("p", key.Owner);
        Assert.Equal("via person", key.Label);
        Assert.Empty(state.Rejections);
    }

    [Fact]
    public void Grant_of_an_unknown_person_is_reported()
    {
        var snapshot = Snapshot(new() { ["p"] = new RegistryPerson([Key(RegistryJson.CiBot)]) }, new() { ["acct"] = Account(["p", "mallory"]) });

        var state = SnapshotExpander.Expand(snapshot, Policy, Now);

        Assert.Single(state.Accounts["acct"]);
        var rejection = Assert.Single(state.Rejections);
        Assert.Equal(ReasonCode.UnknownPerson, rejection.Verdict.Reason);
        Assert.Equal("unknown-person", rejection.Verdict.Code);
        Assert.Equal("mallory", rejection.Owner);
    }

    [Theory]
    [InlineData("p\nq", null)]
    [InlineData("p", "label\u001b[31m")]
    public void Control_characters_in_owner_or_label_are_rejected(string person, string? label)
    {
        var snapshot = Snapshot(new() { [person] = new RegistryPerson([Key(RegistryJson.CiBot, label)]) }, new() { ["acct"] = Account([person]) });

        var state = SnapshotExpander.Expand(snapshot, Policy, Now);

        Assert.Empty(state.Accounts["acct"]);
        var rejection = Assert.Single(state.Rejections);
        Assert.Equal(ReasonCode.ControlCharacter, rejection.Verdict.Reason);
        Assert.DoesNotContain('\n', rejection.ToString());
        Assert.DoesNotContain('\u001b', rejection.ToString());
    }

    [Fact]
    public void Account_whose_keys_are_all_rejected_is_still_managed()
    {
        var state = ExpandPerson(Key(SshKeygen.Generate("dsa", 1024, "weak")));
        Assert.True(state.Accounts.ContainsKey("acct"));
        Assert.Empty(state.Accounts["acct"]);
    }

    [Fact]
    public void Parser_rejections_are_carried_into_the_desired_state()
    {
        var snapshot = RegistryJson.Parse(RegistryJson.Bytes(RegistryJson.Minimal(accountsJson: """{"../x":{},"ok":{}}""")));
        var state = SnapshotExpander.Expand(snapshot, Policy, Now);
        Assert.Equal(ReasonCode.InvalidAccountName, Assert.Single(state.Rejections).Verdict.Reason);
        Assert.Equal(["ok"], state.Accounts.Keys);
    }

    [Fact]
    public void Invalid_account_name_in_a_snapshot_built_in_code_is_rejected_too()
    {
        var state = SnapshotExpander.Expand(Snapshot(accounts: new() { ["a/b"] = Account() }), Policy, Now);
        Assert.Empty(state.Accounts);
        Assert.Equal(ReasonCode.InvalidAccountName, Assert.Single(state.Rejections).Verdict.Reason);
    }

    [Fact]
    public void Private_key_pasted_as_a_key_is_rejected() =>
        Assert.Equal(ReasonCode.PrivateKey, Assert.Single(ExpandPerson(Key("-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn\n-----END OPENSSH PRIVATE KEY-----")).Rejections).Verdict.Reason);

    [Theory]
    [InlineData("rsa-sha2-256")]
    [InlineData("rsa-sha2-512")]
    public void A_registry_key_typed_as_an_rsa_signature_algorithm_is_delivered_as_ssh_rsa(string token)
    {
        string rsa = SshKeygen.Generate("rsa", 3072, comment: "ops");
        var key = Assert.Single(ExpandPerson(Key($"{token} {rsa.Split(' ')[1]} ops")).Accounts["acct"]);

        Assert.Equal("ssh-rsa", key.Key.TypeName);
        Assert.Equal(Fingerprint(rsa), key.Fingerprint);
        Assert.Equal(rsa, key.Render());
    }
}
