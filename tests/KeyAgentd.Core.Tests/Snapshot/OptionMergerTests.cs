using KeyAgentd.Core.Policy;
using KeyAgentd.Core.Snapshot;

namespace KeyAgentd.Core.Tests.Snapshot;

/// <summary>
/// A person's own key options against the access rule's (the account's options): a key may narrow
/// the rule, never widen it. Judged through the daemon's expander, under a policy that allows every
/// option, so the merge alone is what stands between the key and the account.
/// </summary>
public class OptionMergerTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);
    private static readonly KeyPolicy AnyOption = new(new KeyPolicyOptions { AllowedOptions = ["*"] }, TimeZoneInfo.Utc);

    private static DesiredState Expand(string ruleOptions, string keyOptions)
    {
        string key = (keyOptions.Length == 0 ? "" : keyOptions + " ") + SshKeygen.Generate("ed25519", 0, "alice laptop");
        var snapshot = new RegistrySnapshot(RegistrySnapshot.SchemaV1, 1, null, null,
            new Dictionary<string, RegistryPerson> { ["alice"] = new([new RegistryKey(key, null, null, null)]) },
            new Dictionary<string, RegistryAccount> { ["deploy"] = new(["alice"], ruleOptions.Length == 0 ? null : ruleOptions, []) },
            []);
        return SnapshotExpander.Expand(snapshot, AnyOption, Now);
    }

    [Theory]
    [InlineData("permitopen=\"127.0.0.1:2300\"", "permitopen=\"127.0.0.1:2301\"")]
    [InlineData("permitopen=\"127.0.0.1:2300\"", "permitopen=\"*:2300\"")]
    [InlineData("permitopen=\"db.example.com:5432\"", "permitopen=\"db.example.com:*\"")]
    [InlineData("permitopen=\"[::1]:2300\"", "permitopen=\"127.0.0.1:2300\"")]
    [InlineData("permitlisten=\"2300\"", "permitlisten=\"2301\"")]
    [InlineData("permitlisten=\"localhost:2300\"", "permitlisten=\"0.0.0.0:2300\"")]
    // sshd lower-cases a requested listen host byte by byte in ASCII only; .NET's ToLowerInvariant
    // reads the Kelvin sign as "k", but sshd would let the key listen on a host "k*" does not match.
    [InlineData("permitlisten=\"k*:2300\"", "permitlisten=\"\u212A:2300\"")]
    [InlineData("no-pty,permitopen=\"127.0.0.1:2300\"", "permitopen=\"127.0.0.1:2300\",permitopen=\"127.0.0.1:22\"")]
    [InlineData("from=\"10.0.0.0/8\"", "from=\"10.1.0.0/16\"")]
    [InlineData("from=\"10.0.0.0/8\"", "from=\"*\"")]
    [InlineData("command=\"/usr/bin/backup\"", "command=\"/bin/sh\"")]
    [InlineData("no-pty", "environment=\"LD_PRELOAD=/tmp/x.so\"")]
    [InlineData("environment=\"LANG=C\"", "environment=\"PATH=/tmp\"")]
    [InlineData("restrict", "pty")]
    [InlineData("restrict", "port-forwarding")]
    [InlineData("restrict", "agent-forwarding")]
    [InlineData("restrict", "X11-forwarding")]
    [InlineData("restrict", "user-rc")]
    [InlineData("no-pty", "pty")]
    [InlineData("no-port-forwarding", "port-forwarding")]
    [InlineData("no-agent-forwarding", "restrict,agent-forwarding")]
    [InlineData("no-pty", "no-touch-required")]
    [InlineData("verify-required", "no-verify-required")]
    [InlineData("no-pty", "principals=\"root\"")]
    [InlineData("no-pty", "tunnel=\"0\"")]
    [InlineData("no-pty", "cert-authority")]
    [InlineData("", "no-touch-required")]
    [InlineData("", "cert-authority")]
    public void A_key_option_that_widens_the_rule_is_refused(string ruleOptions, string keyOptions)
    {
        var state = Expand(ruleOptions, keyOptions);

        Assert.Empty(state.Accounts["deploy"]);
        var rejection = Assert.Single(state.Rejections);
        Assert.Equal("option-widens-rule", rejection.Verdict.Code);
        Assert.Equal("alice", rejection.Owner);
        Assert.Contains("may only narrow", rejection.Verdict.Message, StringComparison.Ordinal);
    }

    [Theory]
    // Forwarding: an entry within the rule's replaces the rule's list, so the narrower list is what sshd gets.
    [InlineData("permitopen=\"127.0.0.1:2300\"", "permitopen=\"127.0.0.1:2300\"", "permitopen=\"127.0.0.1:2300\"")]
    [InlineData("permitopen=\"127.0.0.1:2300\",permitopen=\"127.0.0.1:2301\"", "permitopen=\"127.0.0.1:2301\"", "permitopen=\"127.0.0.1:2301\"")]
    [InlineData("permitopen=\"*:2300\"", "permitopen=\"db:2300\"", "permitopen=\"db:2300\"")]
    [InlineData("permitopen=\"db:*\"", "permitopen=\"db:05432\"", "permitopen=\"db:05432\"")]
    [InlineData("permitlisten=\"2300\"", "permitlisten=\"localhost:2300\"", "permitlisten=\"localhost:2300\"")]
    [InlineData("permitlisten=\"127.0.0.*:2300\"", "permitlisten=\"127.0.0.1:2300\"", "permitlisten=\"127.0.0.1:2300\"")]
    [InlineData("no-pty", "permitopen=\"127.0.0.1:22\"", "no-pty,permitopen=\"127.0.0.1:22\"")]
    // With forwarding off sshd opens nothing, whatever permitopen says.
    [InlineData("restrict", "permitopen=\"127.0.0.1:22\"", "restrict,permitopen=\"127.0.0.1:22\"")]
    [InlineData("no-port-forwarding,permitopen=\"127.0.0.1:2300\"", "permitopen=\"127.0.0.1:2301\"", "no-port-forwarding,permitopen=\"127.0.0.1:2301\"")]
    // Flags: more no-*, restrict, a flag the rule already has, a no- after the rule's positive one.
    [InlineData("restrict", "no-pty,no-agent-forwarding", "restrict,no-pty,no-agent-forwarding")]
    [InlineData("no-pty", "restrict", "no-pty,restrict")]
    [InlineData("no-pty", "no-port-forwarding,no-X11-forwarding,no-user-rc", "no-pty,no-port-forwarding,no-x11-forwarding,no-user-rc")]
    [InlineData("pty", "no-pty", "pty,no-pty")]
    [InlineData("restrict,pty", "pty", "restrict,pty")]
    [InlineData("", "pty", "pty")]
    [InlineData("no-touch-required", "touch-required", "no-touch-required,touch-required")]
    [InlineData("no-touch-required", "no-touch-required", "no-touch-required")]
    [InlineData("", "verify-required", "verify-required")]
    // Values: the rule's own, or one where the rule has none.
    [InlineData("from=\"10.0.0.0/8\"", "from=\"10.0.0.0/8\"", "from=\"10.0.0.0/8\"")]
    [InlineData("no-pty", "from=\"10.1.0.0/16\"", "no-pty,from=\"10.1.0.0/16\"")]
    [InlineData("", "command=\"/usr/bin/backup\"", "command=\"/usr/bin/backup\"")]
    [InlineData("environment=\"LANG=C\"", "environment=\"LANG=C\"", "environment=\"LANG=C\"")]
    [InlineData("tunnel=\"0\"", "tunnel=\"0\"", "tunnel=\"0\"")]
    // sshd keeps the earliest expiry-time of a line, so a later one from the key changes nothing.
    [InlineData("expiry-time=\"20300101000000Z\"", "expiry-time=\"20290101000000Z\"", "expiry-time=\"20300101000000Z\",expiry-time=\"20290101000000Z\"")]
    [InlineData("expiry-time=\"20290101000000Z\"", "expiry-time=\"20300101000000Z\"", "expiry-time=\"20290101000000Z\",expiry-time=\"20300101000000Z\"")]
    public void A_key_option_that_narrows_the_rule_or_changes_nothing_is_written(string ruleOptions, string keyOptions, string written)
    {
        var state = Expand(ruleOptions, keyOptions);

        Assert.Empty(state.Rejections);
        Assert.Equal(written, Assert.Single(state.Accounts["deploy"]).Options.Render());
    }

    [Fact]
    public void A_later_key_expiry_time_leaves_the_rules_earlier_one_in_force()
    {
        var key = Assert.Single(Expand("expiry-time=\"20290101000000Z\"", "expiry-time=\"20300101000000Z\"").Accounts["deploy"]);
        Assert.Equal(new DateTimeOffset(2029, 1, 1, 0, 0, 0, TimeSpan.Zero), key.Options.ExpiryTime(TimeZoneInfo.Utc));
    }

    [Fact]
    public void The_refusal_names_the_option_and_what_the_rule_allows()
    {
        var rejection = Assert.Single(Expand("permitopen=\"127.0.0.1:2300\"", "permitopen=\"127.0.0.1:2301\"").Rejections);
        Assert.Contains("permitopen=\"127.0.0.1:2301\"", rejection.Verdict.Message, StringComparison.Ordinal);
        Assert.Contains("not within the rule's permitopen=\"127.0.0.1:2300\"", rejection.Verdict.Message, StringComparison.Ordinal);
    }
}
