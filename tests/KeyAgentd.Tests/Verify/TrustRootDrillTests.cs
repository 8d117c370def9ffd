using KeyAgentd.Tests.Support;
using KeyAgentd.Trust.Root;
using KeyAgentd.Trust.Tests.Support;

namespace KeyAgentd.Tests.Verify;

/// <summary>
/// The trust root drills (docs/trust-root.md "Drills"): each through a real nginx and the real `keyagentd`
/// binary, roots and snapshots signed by `ssh-keygen -Y sign`. One `keyagentd sync` is one poll.
/// </summary>
[Trait("Category", "Integration")]
public sealed class TrustRootDrillTests
{
    private static readonly SignerKey Alice = RootDocuments.Key("drill-alice");
    private static readonly SignerKey Bob = RootDocuments.Key("drill-bob");
    private static readonly SignerKey Dave = RootDocuments.Key("drill-dave", "ecdsa");
    private static readonly SignerKey Eve = RootDocuments.Key("drill-eve");
    private static readonly SignerKey CiOld = RootDocuments.Key("drill-ci-2026");
    private static readonly SignerKey CiNew = RootDocuments.Key("drill-ci-2027");
    private static readonly SignerKey Ci3 = RootDocuments.Key("drill-ci-3");
    private static readonly SignerKey Ci4 = RootDocuments.Key("drill-ci-4");
    private static readonly SignerKey Mallory = RootDocuments.Key("drill-mallory");

    private static readonly string KeyOne = SshKeygen.Generate("ed25519", comment: "app-one");
    private static readonly string KeyTwo = SshKeygen.Generate("ed25519", comment: "app-two");
    private static readonly string KeyEvil = SshKeygen.Generate("ed25519", comment: "mallory-was-here");

    private static DateTimeOffset InAYear => DateTimeOffset.UtcNow.AddDays(365);

    private static TrustRootDocument Root(long version, (string, SignerKey)[] rootKeys, int threshold, SignerKey snapshotSigner, DateTimeOffset? expires = null) =>
        RootDocuments.Document(version, rootKeys, threshold, [("ci", snapshotSigner)], expires: expires ?? InAYear);

    private static readonly (string, SignerKey)[] AliceBob = [("alice", Alice), ("bob", Bob)];

    private static void AssertSynced(ProcessRunner.Result sync) =>
        Assert.True(sync.ExitCode == 0, $"exit {sync.ExitCode}\n{sync.Stdout}\n{sync.Stderr}");

    [NginxFact]
    public void A_leaked_ci_key_dropped_by_the_next_root_signs_nothing_after_one_poll_and_the_new_key_is_applied()
    {
        using var host = new RootedHost(Root(1, AliceBob, 2, CiOld), Alice, Bob);
        host.PublishSnapshot(1, KeyOne, CiOld);
        AssertSynced(host.Sync());
        Assert.Contains("app-one", host.KeysFile, StringComparison.Ordinal);
        Assert.Equal(1, host.RootVersion);
        Assert.Single(host.Requests("/root/2.json"), l => l.Contains(" 404 ", StringComparison.Ordinal));

        // The CI key leaks: the root holders publish version 2 without it; the thief signs a snapshot with it.
        host.PublishRoot(Root(2, AliceBob, 2, CiNew), Alice, Bob);
        host.PublishSnapshot(2, KeyEvil, CiOld);
        string before = host.KeysFile;
        host.Sync();

        Assert.Equal(2, host.RootVersion);
        Assert.Equal(before, host.KeysFile);
        Assert.Equal(2, (long)host.Audit("root-accepted").Last()["root_version"]!);
        // Both stop counting at once: the fresh snapshot, and the last-known-good the leaked key signed (its keys stay).
        Assert.Equal(["last-known-good-unverified", "signer-unknown"], host.Audit("snapshot-refused").Select(r => (string)r["reason"]!));
        Assert.True(File.Exists(Path.Combine(host.StateDirectory, "root", "2.json")));

        host.PublishSnapshot(3, KeyTwo, CiNew);
        AssertSynced(host.Sync());
        Assert.Contains("app-two", host.KeysFile, StringComparison.Ordinal);
        Assert.DoesNotContain("mallory-was-here", host.KeysFile, StringComparison.Ordinal);
        Assert.Equal(3, (long)host.StatusJson()["snapshot_serial"]!);
        Assert.Contains("keyagentd_trust_root_version 2\n", host.Metrics, StringComparison.Ordinal);
    }

    [NginxFact]
    public void One_stolen_root_key_of_two_cannot_make_a_root_and_the_other_holders_rotate_it_out()
    {
        using var host = new RootedHost(Root(1, AliceBob, 2, CiOld), Alice, Bob);
        host.PublishSnapshot(1, KeyOne, CiOld);
        AssertSynced(host.Sync());

        // Mallory holds a copy of bob's root key: a version 2 naming her snapshot key, signed by bob's key alone.
        var (forged, forgedSig) = host.PublishRoot(Root(2, [("bob", Bob)], 1, Mallory), Bob);
        // ssh-keygen agrees the signature itself is good: what is refused is one principal where two must sign.
        Assert.True(OpenSsh.Verify($"bob {Bob.KeyText}\n", "bob", forgedSig, forged, @namespace: TrustRootDocument.Namespace));
        host.PublishSnapshot(2, KeyEvil, Mallory);
        string before = host.KeysFile;
        host.Sync();
        Assert.Equal(1, host.RootVersion);
        Assert.Equal(before, host.KeysFile);
        Assert.Equal(RootReason.ThresholdNotMet.ToCode(), (string?)host.Audit("root-refused").Last()["reason"]);
        Assert.Contains($"keyagentd_trust_root_refusals_total{{reason=\"root-threshold-not-met\"}} 1\n", host.Metrics, StringComparison.Ordinal);
        Assert.Equal("root-threshold-not-met", (string?)host.StatusJson()["trust_root_last_refusal"]!["reason"]);

        // Alice and bob (bob still has his key) replace bob's key with dave's: version 1's two and version 2's two sign.
        host.PublishRoot(Root(2, [("alice", Alice), ("dave", Dave)], 2, CiNew), Alice, Bob, Dave);
        host.PublishSnapshot(3, KeyTwo, CiNew);
        AssertSynced(host.Sync());
        Assert.Equal(2, host.RootVersion);
        Assert.Contains("app-two", host.KeysFile, StringComparison.Ordinal);

        // Bob's stolen key now counts for nothing: even with alice's signature it is one principal of two.
        host.PublishRoot(Root(3, [("bob", Bob)], 1, Mallory), Bob, Alice);
        host.Sync();
        Assert.Equal(2, host.RootVersion);
        Assert.Equal(RootReason.ThresholdNotMet.ToCode(), (string?)host.Audit("root-refused").Last()["reason"]);
    }

    [NginxFact]
    public void A_host_offline_through_three_rotations_catches_up_in_one_cycle()
    {
        using var host = new RootedHost(Root(1, AliceBob, 2, CiOld), Alice, Bob);
        host.PublishSnapshot(1, KeyOne, CiOld);
        AssertSynced(host.Sync());

        host.PublishRoot(Root(2, AliceBob, 2, CiNew), Alice, Bob);
        host.PublishRoot(Root(3, [("alice", Alice), ("dave", Dave)], 2, Ci3), Alice, Bob, Dave);
        host.PublishRoot(Root(4, [("alice", Alice), ("dave", Dave)], 1, Ci4), Alice, Dave);
        host.PublishSnapshot(2, KeyTwo, Ci4);
        AssertSynced(host.Sync());

        Assert.Equal(4, host.RootVersion);
        Assert.Contains("app-two", host.KeysFile, StringComparison.Ordinal);
        Assert.Equal([2L, 3L, 4L], host.Audit("root-accepted").Select(r => (long)r["root_version"]!).Where(v => v > 1));
        foreach (int version in new[] { 2, 3, 4 })
        {
            Assert.Single(host.Requests($"/root/{version}.json"), l => l.Contains(" 200 ", StringComparison.Ordinal));
        }
        Assert.Single(host.Requests("/root/5.json"), l => l.Contains(" 404 ", StringComparison.Ordinal));
    }

    [NginxFact]
    public void An_older_root_a_skipped_version_a_root_signed_only_by_new_keys_a_changed_byte_and_garbage_are_refused_and_change_nothing()
    {
        using var host = new RootedHost(Root(1, AliceBob, 2, CiOld), Alice, Bob);
        host.PublishSnapshot(1, KeyOne, CiOld);
        AssertSynced(host.Sync());
        var (v2, v2Sig) = host.PublishRoot(Root(2, AliceBob, 2, CiNew), Alice, Bob);
        host.PublishSnapshot(2, KeyTwo, CiNew);
        AssertSynced(host.Sync());
        Assert.Equal(2, host.RootVersion);
        var (v1, v1Sig) = RootDocuments.Signed(Root(1, AliceBob, 2, CiOld), Alice, Bob);
        var evil = Root(3, [("eve", Eve), ("mallory", Mallory)], 2, Mallory);
        var (evilBytes, evilSig) = RootDocuments.Signed(evil, Eve, Mallory);
        var (skip, skipSig) = RootDocuments.Signed(Root(4, AliceBob, 2, Mallory), Alice, Bob);
        var (good3, good3Sig) = RootDocuments.Signed(Root(3, AliceBob, 2, Mallory), Alice, Bob);
        // Other bytes under version 3's signatures: one snapshot signer swapped after signing.
        byte[] changed = TrustRootWriter.Render(Root(3, AliceBob, 2, Eve));

        var attacks = new (string Reason, byte[] Bytes, byte[] Signature)[]
        {
            (RootReason.Rollback.ToCode(), v1, v1Sig),
            (RootReason.Rollback.ToCode(), v2, v2Sig),
            (RootReason.VersionSkip.ToCode(), skip, skipSig),
            (RootReason.ThresholdNotMet.ToCode(), evilBytes, evilSig),
            (RootReason.SignatureInvalid.ToCode(), changed, good3Sig),
            (RootReason.SignatureInvalid.ToCode(), good3, []),
            (RootReason.Malformed.ToCode(), "{\"schema\":\"keyagentd-root/1\"}"u8.ToArray(), good3Sig),
        };
        foreach (var (reason, bytes, signature) in attacks)
        {
            host.PublishRootAs(3, bytes, signature);
            host.PublishSnapshot(3, KeyEvil, Mallory);
            string keys = host.KeysFile;
            host.Sync();
            Assert.True(host.RootVersion == 2, reason);
            Assert.Equal(keys, host.KeysFile);
            Assert.Equal(reason, (string?)host.Audit("root-refused").Last()["reason"]);
            Assert.Equal(reason, (string?)host.StatusJson()["trust_root_last_refusal"]!["reason"]);
            Assert.False(File.Exists(Path.Combine(host.StateDirectory, "root", "3.json")), reason);
        }
        Assert.Contains("keyagentd_trust_root_refusals_total{reason=\"root-rollback\"} 2\n", host.Metrics, StringComparison.Ordinal);
    }

    [NginxFact]
    public void An_expired_root_stops_new_snapshots_says_so_and_keeps_the_keys_until_a_successor_is_published()
    {
        var expires = DateTimeOffset.UtcNow.AddSeconds(4);
        using var host = new RootedHost(Root(1, AliceBob, 2, CiOld, expires), Alice, Bob);
        host.PublishSnapshot(1, KeyOne, CiOld);
        AssertSynced(host.Sync());
        Assert.Contains("app-one", host.KeysFile, StringComparison.Ordinal);
        while (DateTimeOffset.UtcNow <= expires.AddSeconds(1))
        {
            Thread.Sleep(200);
        }

        host.PublishSnapshot(2, KeyTwo, CiOld);
        var sync = host.Sync();
        Assert.NotEqual(0, sync.ExitCode);
        Assert.Contains("app-one", host.KeysFile, StringComparison.Ordinal);
        Assert.DoesNotContain("app-two", host.KeysFile, StringComparison.Ordinal);
        var status = host.StatusJson();
        Assert.True((bool)status["trust_root"]!["expired"]!);
        Assert.Equal("root-expired", (string?)status["registry_problem"]);
        Assert.Contains("keyagentd_trust_root_expired 1\n", host.Metrics, StringComparison.Ordinal);
        Assert.Contains("EXPIRED", host.Run("status").Stdout, StringComparison.Ordinal);
        Assert.Equal("root-expired", (string?)host.Audit("root-refused").Last()["reason"]);

        host.PublishRoot(Root(2, AliceBob, 2, CiOld), Alice, Bob);
        AssertSynced(host.Sync());
        Assert.Equal(2, host.RootVersion);
        Assert.Contains("app-two", host.KeysFile, StringComparison.Ordinal);
        Assert.Contains("keyagentd_trust_root_expired 0\n", host.Metrics, StringComparison.Ordinal);
    }

    /// <summary>The rotation to version 2 that drops the leaked CI key, applied; then the state that proves it is lost.</summary>
    private static RootedHost RotatedThenStateLost()
    {
        var host = new RootedHost(Root(1, AliceBob, 2, CiOld), Alice, Bob);
        host.PublishSnapshot(1, KeyOne, CiOld);
        AssertSynced(host.Sync());
        host.PublishRoot(Root(2, AliceBob, 2, CiNew), Alice, Bob);
        host.PublishSnapshot(2, KeyTwo, CiNew);
        AssertSynced(host.Sync());
        Assert.Equal(2, host.RootVersion);

        // Trust state and kept roots gone (an attacker, a bad restore); the hostile web root hides version 2
        // and serves a snapshot signed by the key version 2 dropped.
        File.Delete(Path.Combine(host.StateDirectory, "trust-state.json"));
        Directory.Delete(Path.Combine(host.StateDirectory, "root"), recursive: true);
        File.Delete(Path.Combine(host.Nginx.Root, "root", "2.json"));
        host.PublishSnapshot(3, KeyEvil, CiOld);
        return host;
    }

    [NginxFact]
    public void A_host_that_lost_its_trust_state_and_kept_roots_refuses_the_dropped_signer_until_the_real_chain_is_reached_again()
    {
        using var host = RotatedThenStateLost();
        string before = host.KeysFile;
        var sync = host.Sync();

        Assert.NotEqual(0, sync.ExitCode);
        Assert.DoesNotContain("mallory-was-here", host.KeysFile, StringComparison.Ordinal);
        Assert.Equal(before, host.KeysFile);
        Assert.Contains(" 404 ", host.Requests("/root/2.json").Last(), StringComparison.Ordinal);
        var status = host.StatusJson();
        Assert.Equal("root-state-lost", (string?)status["trust_root_problem"]);
        Assert.Equal("root-state-lost", (string?)status["registry_problem"]);
        Assert.Contains("keyagentd_trust_root_problem{reason=\"root-state-lost\"} 1\n", host.Metrics, StringComparison.Ordinal);
        Assert.Equal("root-state-lost", (string?)host.Audit("root-refused").Last()["reason"]);
        Assert.Contains("root-state-lost", host.Run("status").Stdout, StringComparison.Ordinal);
        Assert.Contains("trust reset-root", host.Run("doctor", "app").Stdout, StringComparison.Ordinal);

        // Still refused at the next poll: the floor was written down, not only read from the audit log.
        host.Sync();
        Assert.Equal(before, host.KeysFile);

        // The registry serves version 2 again: the walk reaches the floor through the real chain and clears it.
        host.PublishRoot(Root(2, AliceBob, 2, CiNew), Alice, Bob);
        host.Sync();
        Assert.Equal(2, host.RootVersion);
        Assert.Null(host.StatusJson()["trust_root_problem"]);
        Assert.Equal(before, host.KeysFile);
        Assert.Equal("signer-unknown", (string?)host.Audit("snapshot-refused").Last()["reason"]);
        host.PublishSnapshot(4, KeyOne, CiNew);
        AssertSynced(host.Sync());
        Assert.Contains("app-one", host.KeysFile, StringComparison.Ordinal);
        Assert.DoesNotContain("keyagentd_trust_root_problem{", host.Metrics, StringComparison.Ordinal);
    }

    [NginxFact]
    public void After_the_trust_state_is_lost_only_an_operator_lowers_the_root_floor_and_it_is_audited()
    {
        using var host = RotatedThenStateLost();
        host.PublishSnapshot(3, KeyTwo, CiOld);
        host.Sync();
        Assert.Equal("root-state-lost", (string?)host.StatusJson()["trust_root_problem"]);

        var reset = host.Run("trust", "reset-root");
        Assert.True(reset.ExitCode == 0, reset.Stdout + reset.Stderr);
        Assert.Equal("reset-root", (string?)host.Audit("trust-reset").Last()["reason"]);
        AssertSynced(host.Sync());
        Assert.Equal(1, host.RootVersion);
        Assert.Null(host.StatusJson()["trust_root_problem"]);
    }

    [NginxFact]
    public void With_the_audit_log_lost_as_well_status_json_still_shows_the_floor_and_with_everything_lost_the_host_starts_again_from_its_pinned_root()
    {
        using var host = RotatedThenStateLost();
        File.Delete(host.Box.Settings.Audit.Path);
        host.Sync();
        Assert.Equal("root-state-lost", (string?)host.StatusJson()["trust_root_problem"]);
        Assert.DoesNotContain("mallory-was-here", host.KeysFile, StringComparison.Ordinal);

        // Residual risk (docs/trust-root.md): trust state, kept roots, status and audit log all gone is a fresh host.
        File.Delete(host.Box.Settings.Audit.Path);
        File.Delete(Path.Combine(host.StateDirectory, "trust-state.json"));
        File.Delete(Path.Combine(host.StateDirectory, "status.json"));
        Directory.Delete(Path.Combine(host.StateDirectory, "root"), recursive: true);
        host.Sync();
        Assert.Equal(1, host.RootVersion);
    }
}
