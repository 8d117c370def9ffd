using KeyAgentd.Cli;
using KeyAgentd.Tests.RootRotation;
using KeyAgentd.Trust.Root;

namespace KeyAgentd.Tests.Cli;

/// <summary>
/// `keyagentd-registry root init|propose|verify|publish` as the rotation procedure of docs/trust-root.md
/// runs them (signing with key files through ssh-keygen), every refusal named and changing nothing.
/// </summary>
public sealed class RootCommandTests : IDisposable
{
    private readonly RootWorkspace _work = new();

    [Fact]
    public void Init_writes_version_1_unsigned_and_says_who_must_sign()
    {
        var init = _work.Init(["alice", "bob"], 2, ["ci"]);

        Assert.Equal(ExitCodes.Ok, init.Exit);
        var root = TrustRootParser.Parse(File.ReadAllBytes(_work.Version(1)), 2048);
        Assert.Equal((1L, 2, 1), (root.Version, root.RootThreshold, root.SnapshotThreshold));
        Assert.Equal(RootWorkspace.Now.AddDays(365), root.ExpiresAt);
        Assert.Equal("alice-root", root.RootKeys[0].Comment);
        Assert.False(File.Exists(_work.Version(1) + ".sig"));
        Assert.Contains($"root key alice {_work.Fingerprint("alice")}", init.Stdout, StringComparison.Ordinal);
        Assert.Contains("hosts accept it when signed by 2 of its own root principals (alice, bob)", init.Stdout, StringComparison.Ordinal);
        Assert.Contains($"keyagentd-registry root sign {_work.Version(1)} --key KEY.pub", init.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(3, "365d", "root-rules-broken", "root.threshold is 3")]
    [InlineData(2, null, "root-no-expiry", "--expires is required")]
    [InlineData(2, "731d", "root-rules-broken", "more than 730 days away")]
    [InlineData(2, "2026-05-01", "root-rules-broken", "is not in the future")]
    [InlineData(2, "soon", "root-change-invalid", "--expires \"soon\"")]
    public void Init_refuses_a_root_its_keys_could_not_live_with_and_writes_nothing(int threshold, string? expires, string code, string message)
    {
        var init = _work.Init(["alice", "bob"], threshold, ["ci"], expires: expires);

        Assert.Equal(ExitCodes.Failed, init.Exit);
        Assert.StartsWith($"keyagentd-registry: {code}: ", init.Stderr, StringComparison.Ordinal);
        Assert.Contains(message, init.Stderr, StringComparison.Ordinal);
        Assert.Empty(RootWorkspace.Files(_work.Dir));
    }

    [Fact]
    public void Init_refuses_to_replace_a_first_root_already_there()
    {
        _work.SignedFirstRoot();
        var before = RootWorkspace.Files(_work.Dir);

        var again = _work.Init(["alice"], 1, ["ci"]);

        Assert.Equal(ExitCodes.Failed, again.Exit);
        Assert.Contains("root-version-exists", again.Stderr, StringComparison.Ordinal);
        RootWorkspace.AssertSame(before, RootWorkspace.Files(_work.Dir));
    }

    [Fact]
    public void Propose_writes_the_next_version_and_prints_the_difference_for_review()
    {
        _work.SignedFirstRoot();

        var propose = _work.Propose(new RootProposeCommand.Request(_work.Version(1))
        {
            RemoveSnapshotSigners = [_work.Fingerprint("ci")],
            AddSnapshotSigners = [$"ci={_work.Pub("ci2")},valid-before=2027-01-01"],
            AddRootKeys = [$"carol={_work.Pub("carol")}"],
            RootThreshold = 3,
            Expires = "2027-12-01",
        });

        Assert.Equal(ExitCodes.Ok, propose.Exit);
        var next = TrustRootParser.Parse(File.ReadAllBytes(_work.Version(2)), 2048);
        Assert.Equal((2L, 3), (next.Version, next.RootThreshold));
        string[] lines = propose.Stdout.Split('\n');
        Assert.Contains("  expires_at: 2027-06-01T00:00:00Z -> 2027-12-01T00:00:00Z", lines);
        Assert.Contains("  root threshold: 2 -> 3", lines);
        Assert.Contains(lines, l => l.StartsWith($"  + root key carol {_work.Fingerprint("carol")} ssh-ed25519 ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith($"  - snapshot signer {_work.Fingerprint("ci")} ci ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith($"  + snapshot signer {_work.Fingerprint("ci2")} ci ", StringComparison.Ordinal) && l.EndsWith("valid-before=2027-01-01T00:00:00Z", StringComparison.Ordinal));
        Assert.Contains("hosts accept it when signed by 2 of version 1's root principals (alice, bob) and by 3 of its own root principals (alice, bob, carol)", propose.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void The_snapshot_validity_limit_is_set_at_init_changed_by_a_proposal_and_shown_for_review()
    {
        var init = _work.Init(["alice"], 1, ["ci"], maxSnapshotValidity: "7d");
        Assert.Equal(ExitCodes.Ok, init.Exit);
        Assert.Equal(TimeSpan.FromDays(7), TrustRootParser.Parse(File.ReadAllBytes(_work.Version(1)), 2048).MaxSnapshotValidity);
        Assert.Contains("  max_snapshot_validity_seconds: 604800", init.Stdout.Split('\n'));

        var shorter = _work.Propose(new RootProposeCommand.Request(_work.Version(1)) { MaxSnapshotValidity = "36h" });

        Assert.Equal(ExitCodes.Ok, shorter.Exit);
        Assert.Equal(TimeSpan.FromHours(36), TrustRootParser.Parse(File.ReadAllBytes(_work.Version(2)), 2048).MaxSnapshotValidity);
        Assert.Contains("  max_snapshot_validity_seconds: 604800 -> 129600", shorter.Stdout.Split('\n'));
    }

    [Fact]
    public void A_proposal_can_remove_the_snapshot_validity_limit()
    {
        Assert.Equal(ExitCodes.Ok, _work.Init(["alice"], 1, ["ci"], maxSnapshotValidity: "86400").Exit);

        var none = _work.Propose(new RootProposeCommand.Request(_work.Version(1)) { MaxSnapshotValidity = "none" });

        Assert.Equal(ExitCodes.Ok, none.Exit);
        Assert.Null(TrustRootParser.Parse(File.ReadAllBytes(_work.Version(2)), 2048).MaxSnapshotValidity);
        Assert.Contains("  max_snapshot_validity_seconds: 86400 -> none", none.Stdout.Split('\n'));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("1.5")]
    [InlineData("3651d")]
    [InlineData("forever")]
    [InlineData("none")]
    public void An_unusable_snapshot_validity_limit_is_refused_and_nothing_is_written(string limit)
    {
        Assert.Equal(ExitCodes.Ok, _work.Init(["alice"], 1, ["ci"]).Exit);
        var before = RootWorkspace.Files(_work.Dir);

        // `none` removes a limit: version 1 has none, so it would change nothing.
        var propose = _work.Propose(new RootProposeCommand.Request(_work.Version(1)) { MaxSnapshotValidity = limit });

        Assert.Equal(ExitCodes.Failed, propose.Exit);
        Assert.Contains("root-change-invalid", propose.Stderr, StringComparison.Ordinal);
        RootWorkspace.AssertSame(before, RootWorkspace.Files(_work.Dir));
    }

    [Fact]
    public void A_first_root_cannot_name_none_as_its_limit()
    {
        var init = _work.Init(["alice"], 1, ["ci"], maxSnapshotValidity: "none");

        Assert.Equal(ExitCodes.Failed, init.Exit);
        Assert.Contains("root-change-invalid", init.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(_work.Version(1)));
    }

    [Fact]
    public void Propose_refuses_to_overwrite_another_proposal()
    {
        _work.SignedFirstRoot();
        Assert.Equal(ExitCodes.Ok, _work.Propose(new RootProposeCommand.Request(_work.Version(1)) { Expires = "700d" }).Exit);
        Assert.Equal(ExitCodes.Ok, _work.Propose(new RootProposeCommand.Request(_work.Version(1)) { Expires = "700d" }).Exit);
        var before = RootWorkspace.Files(_work.Dir);

        var other = _work.Propose(new RootProposeCommand.Request(_work.Version(1)) { Expires = "600d" });

        Assert.Equal(ExitCodes.Failed, other.Exit);
        Assert.Contains("root-version-exists", other.Stderr, StringComparison.Ordinal);
        RootWorkspace.AssertSame(before, RootWorkspace.Files(_work.Dir));
    }

    [Fact]
    public void A_key_comment_reaches_the_terminal_escaped()
    {
        _work.SignedFirstRoot();
        string evil = Path.Combine(_work.Scratch, "evil.pub");
        string[] parts = File.ReadAllText(_work.Pub("mallory")).Split(' ');
        File.WriteAllText(evil, $"{parts[0]} {parts[1]} evil\u001b]0;owned\u0007\n");

        var propose = _work.Propose(new RootProposeCommand.Request(_work.Version(1)) { AddSnapshotSigners = [$"ci2={evil}"] });

        Assert.DoesNotContain('\u001b', propose.Stdout + propose.Stderr);
        Assert.DoesNotContain('\u0007', propose.Stdout + propose.Stderr);
    }

    [Fact]
    public void Verify_names_each_version_and_the_first_refused_one_and_exits_1()
    {
        _work.SignedFirstRoot();
        Assert.Equal(ExitCodes.Ok, _work.Propose(new RootProposeCommand.Request(_work.Version(1)) { Expires = "700d" }).Exit);
        Assert.Equal(ExitCodes.Ok, _work.Sign(2, "alice").Exit);
        Assert.Equal(ExitCodes.Ok, _work.Propose(new RootProposeCommand.Request(_work.Version(2)) { Expires = "710d" }).Exit);

        var verify = _work.Verify();

        Assert.Equal(ExitCodes.Failed, verify.Exit);
        string[] lines = verify.Stdout.Split('\n');
        Assert.StartsWith("version 1: root-accepted (first version: checked on its own root keys", lines[0], StringComparison.Ordinal);
        Assert.Contains(lines, l => l.StartsWith("version 2: root-threshold-not-met: signed for the root keys of version 1: 1 of 2", StringComparison.Ordinal));
        Assert.Contains($"  signature 1 {_work.Fingerprint("alice")}: version 1's root keys: alice, counts", lines);
        Assert.Contains("version 3: not checked (a version before it was refused; no host gets past it)", lines);
        // The chain up to a version, by naming the file.
        Assert.Equal(ExitCodes.Ok, _work.Verify(_work.Version(1)).Exit);
    }

    [Fact]
    public void Verify_checks_the_first_version_against_pins()
    {
        _work.SignedFirstRoot();

        Assert.Equal(ExitCodes.Ok, _work.Verify(pins: [_work.Fingerprint("alice"), _work.Fingerprint("bob")]).Exit);
        var wrong = _work.Verify(pins: [_work.Fingerprint("mallory")]);
        Assert.Equal(ExitCodes.Failed, wrong.Exit);
        Assert.Contains("version 1: root-pin-mismatch", wrong.Stdout, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Failed, _work.Verify(pins: ["alice"]).Exit);
        Assert.Equal(ExitCodes.Usage, _work.Verify(Path.Combine(_work.Scratch, "nowhere")).Exit);
    }

    [Fact]
    public void Verify_says_when_the_newest_version_has_expired()
    {
        _work.SignedFirstRoot();

        var verify = _work.Verify(now: RootWorkspace.Now.AddDays(366));

        Assert.Equal(ExitCodes.Failed, verify.Exit);
        Assert.Contains("newest: version 1, root-expired: expired at 2027-06-01T00:00:00Z", verify.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void The_rotation_procedure_publishes_a_chain_a_host_walks()
    {
        _work.SignedFirstRoot();
        Assert.Equal(ExitCodes.Ok, _work.Publish().Exit);
        string root = Path.Combine(_work.WebRoot, "root");
        Assert.Equal(File.ReadAllBytes(_work.Version(1)), File.ReadAllBytes(Path.Combine(root, "current.json")));

        // The CI key leaks: version 2 drops it for a new one, signed by both holders, published.
        Assert.Equal(ExitCodes.Ok, _work.Propose(new RootProposeCommand.Request(_work.Version(1))
        {
            RemoveSnapshotSigners = ["ci"],
            AddSnapshotSigners = [$"ci={_work.Pub("ci2")}"],
            RevokeSigners = [_work.Fingerprint("ci")],
        }).Exit);
        Assert.Equal(ExitCodes.Ok, _work.Sign(2, "alice").Exit);
        Assert.Equal(ExitCodes.Ok, _work.Sign(2, "bob").Exit);
        var publish = _work.Publish();

        Assert.Equal(ExitCodes.Ok, publish.Exit);
        Assert.Equal([$"wrote {root}/2.json.sig", $"wrote {root}/2.json", $"wrote {root}/current.json"], publish.Stdout.Split('\n').Where(l => l.StartsWith("wrote ", StringComparison.Ordinal)));
        Assert.Equal(["1.json", "1.json.sig", "2.json", "2.json.sig", "current.json"], Directory.GetFiles(root).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(ExitCodes.Ok, _work.Verify(_work.WebRoot).Exit);
        Assert.Contains("nothing to write", _work.Publish().Stdout, StringComparison.Ordinal);

        // A host holding version 1 walks to version 2, whose snapshot signer is the new key only.
        var host = RootVerifier.VerifyFirst(File.ReadAllBytes(Path.Combine(root, "1.json")), File.ReadAllBytes(Path.Combine(root, "1.json.sig")),
            [_work.Fingerprint("alice"), _work.Fingerprint("bob")], 2048, RootWorkspace.Now);
        var walked = RootVerifier.VerifySuccessor(host.Root!, File.ReadAllBytes(Path.Combine(root, "2.json")), File.ReadAllBytes(Path.Combine(root, "2.json.sig")), 2048, RootWorkspace.Now);
        Assert.True(walked.IsAccepted, walked.ToString());
        Assert.Equal([_work.PublicKey("ci2")], walked.Root!.Document.SnapshotSigners.Select(s => s.Key));
    }

    [Fact]
    public void Publish_refuses_to_replace_a_published_version_with_other_bytes()
    {
        _work.SignedFirstRoot();
        Assert.Equal(ExitCodes.Ok, _work.Publish().Exit);
        var published = RootWorkspace.Files(_work.WebRoot);
        // Another first root, made and signed again: the same holders, other bytes.
        foreach (string file in Directory.GetFiles(_work.Dir))
        {
            File.Delete(file);
        }
        Assert.Equal(ExitCodes.Ok, _work.Init(["alice", "bob"], 2, ["ci"], expires: "300d").Exit);
        Assert.Equal(ExitCodes.Ok, _work.Sign(1, "alice").Exit);
        Assert.Equal(ExitCodes.Ok, _work.Sign(1, "bob").Exit);

        var publish = _work.Publish();

        Assert.Equal(ExitCodes.Failed, publish.Exit);
        Assert.Contains("root-published-differs", publish.Stderr, StringComparison.Ordinal);
        RootWorkspace.AssertSame(published, RootWorkspace.Files(_work.WebRoot));
    }

    [Fact]
    public void Publish_refuses_a_broken_chain_and_writes_nothing()
    {
        _work.SignedFirstRoot();
        Assert.Equal(ExitCodes.Ok, _work.Propose(new RootProposeCommand.Request(_work.Version(1)) { Expires = "700d" }).Exit);
        Assert.Equal(ExitCodes.Ok, _work.Sign(2, "bob").Exit);

        var publish = _work.Publish();

        Assert.Equal(ExitCodes.Failed, publish.Exit);
        Assert.Contains("root-chain-broken: version 2 of", publish.Stderr, StringComparison.Ordinal);
        Assert.Empty(RootWorkspace.Files(Path.Combine(_work.WebRoot, "root")));
    }

    public void Dispose() => _work.Dispose();
}
