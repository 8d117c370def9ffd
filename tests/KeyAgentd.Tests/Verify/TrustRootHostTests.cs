using KeyAgentd.Tests.Support;
using KeyAgentd.Trust.Root;
using KeyAgentd.Trust.Tests.Support;

namespace KeyAgentd.Tests.Verify;

/// <summary>
/// The host side of the trust root around the drills: `keyagentd trust init` with pinned fingerprints, a
/// root and an allowed_signers file at once, a kept root file that went missing, the root's bound on
/// snapshot validity. Real nginx, the real `keyagentd` binary.
/// </summary>
[Trait("Category", "Integration")]
public sealed class TrustRootHostTests
{
    private static readonly SignerKey Alice = RootDocuments.Key("host-alice");
    private static readonly SignerKey Bob = RootDocuments.Key("host-bob");
    private static readonly SignerKey Ci = RootDocuments.Key("host-ci");
    private static readonly SignerKey Ci2 = RootDocuments.Key("host-ci-2");
    private static readonly string KeyOne = SshKeygen.Generate("ed25519", comment: "host-app-one");
    private static readonly string KeyTwo = SshKeygen.Generate("ed25519", comment: "host-app-two");

    private static readonly (string, SignerKey)[] AliceBob = [("alice", Alice), ("bob", Bob)];

    private static TrustRootDocument Root(long version, SignerKey snapshotSigner) =>
        RootDocuments.Document(version, AliceBob, 2, [("ci", snapshotSigner)], expires: DateTimeOffset.UtcNow.AddDays(365));

    private static void AssertExit(int expected, ProcessRunner.Result run) =>
        Assert.True(run.ExitCode == expected, $"exit {run.ExitCode}\n{run.Stdout}\n{run.Stderr}");

    [NginxFact]
    public void Trust_init_keeps_a_root_only_when_its_pinned_root_keys_signed_it_and_the_next_sync_walks_on_from_it()
    {
        using var host = new RootedHost(Root(1, Ci), Alice, Bob);
        host.WriteConfig(trustRootFile: null);
        host.PublishRoot(Root(1, Ci), Alice, Bob);
        host.PublishRoot(Root(2, Ci2), Alice, Bob);
        host.PublishSnapshot(1, KeyOne, Ci2);
        string current = $"http://127.0.0.1:{host.Nginx.Port}/root/current.json";

        Assert.Null(host.StatusJson()["trust_root"]);

        var wrongPin = host.Run("trust", "init", current, "--root-fingerprint", Ci.Key.Sha256Fingerprint);
        AssertExit(1, wrongPin);
        Assert.Contains("root-pin-mismatch", wrongPin.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(host.StateDirectory, "root")));
        Assert.Equal("root-pin-mismatch", (string?)host.Audit("root-refused").Single()["reason"]);

        // One pin of two: the threshold of 2 cannot be met by pinned keys.
        var onePin = host.Run("trust", "init", current, "--root-fingerprint", Alice.Key.Sha256Fingerprint);
        AssertExit(1, onePin);
        Assert.Contains("root-pin-mismatch", onePin.Stderr, StringComparison.Ordinal);

        var usage = host.Run("trust", "init", current, "--root-fingerprint", "MD5:00:11");
        AssertExit(2, usage);

        var init = host.Run("trust", "init", current, "--root-fingerprint", Alice.Key.Sha256Fingerprint, "--root-fingerprint", Bob.Key.Sha256Fingerprint);
        AssertExit(0, init);
        Assert.Contains("trust root version 2 kept", init.Stdout, StringComparison.Ordinal);
        Assert.Equal(2, (long)host.Audit("root-accepted").Single()["root_version"]!);

        AssertExit(0, host.Sync());
        Assert.Equal(2, host.RootVersion);
        Assert.Contains("host-app-one", host.KeysFile, StringComparison.Ordinal);
        var status = host.Run("status");
        Assert.Contains("trust root:   version 2", status.Stdout, StringComparison.Ordinal);
        Assert.Contains("2 of alice, bob sign the next version", status.Stdout, StringComparison.Ordinal);
        var doctor = host.Run("doctor", "app");
        Assert.Contains("trust root version 2", doctor.Stdout, StringComparison.Ordinal);
        // `registry verify` judges a snapshot by the signers of the root the host holds, as the daemon does.
        var verify = host.Run("registry", "verify", "--host", RootedHost.HostName, Path.Combine(host.Nginx.Root, RootedHost.HostName + ".json"));
        AssertExit(0, verify);
        Assert.Contains("signers of trust root version 2", verify.Stdout, StringComparison.Ordinal);

        var again = host.Run("trust", "init", current, "--root-fingerprint", Alice.Key.Sha256Fingerprint, "--root-fingerprint", Bob.Key.Sha256Fingerprint);
        AssertExit(0, again);
        Assert.Contains("already holds trust root version 2", again.Stdout, StringComparison.Ordinal);
    }

    [NginxFact]
    public void A_root_and_an_allowed_signers_file_at_once_refuse_every_snapshot_naming_both_settings()
    {
        using var host = new RootedHost(Root(1, Ci), Alice, Bob);
        File.WriteAllText(host.AllowedSignersPath, $"ci {Ci.KeyText}\n");
        host.PublishSnapshot(1, KeyOne, Ci);

        var sync = host.Sync();
        Assert.NotEqual(0, sync.ExitCode);
        Assert.Equal("(absent)", host.KeysFile);
        var status = host.StatusJson();
        Assert.Equal("trust-roots-unusable", (string?)status["registry_problem"]);
        string error = (string)status["last_registry_error"]!;
        Assert.Contains("Registry:TrustRootFile", error, StringComparison.Ordinal);
        Assert.Contains("Registry:AllowedSignersFile", error, StringComparison.Ordinal);
        Assert.Contains("Registry:AllowedSignersFile", host.Run("doctor", "app").Stdout, StringComparison.Ordinal);

        // The allowed_signers file alone (no root configured, none kept) keeps working unchanged.
        host.WriteConfig(trustRootFile: null);
        AssertExit(0, host.Sync());
        Assert.Contains("host-app-one", host.KeysFile, StringComparison.Ordinal);
        Assert.Null(host.StatusJson()["trust_root"]);
    }

    [NginxFact]
    public void A_kept_root_file_that_went_missing_fails_closed_and_is_never_read_as_no_root()
    {
        using var host = new RootedHost(Root(1, Ci), Alice, Bob);
        host.PublishSnapshot(1, KeyOne, Ci);
        AssertExit(0, host.Sync());
        host.PublishRoot(Root(2, Ci2), Alice, Bob);
        host.PublishSnapshot(2, KeyTwo, Ci2);
        AssertExit(0, host.Sync());
        Assert.Equal(2, host.RootVersion);

        // Version 2 kept is deleted: neither the installed version 1 nor "no root" takes its place.
        File.Delete(Path.Combine(host.StateDirectory, "root", "2.json"));
        host.PublishSnapshot(3, KeyOne, Ci);
        string keys = host.KeysFile;
        var sync = host.Sync();
        Assert.NotEqual(0, sync.ExitCode);
        Assert.Equal(keys, host.KeysFile);
        var status = host.StatusJson();
        Assert.Equal("trust-roots-unusable", (string?)status["registry_problem"]);
        Assert.Contains("2.json is missing, yet this host holds trust root version 2", (string)status["last_registry_error"]!, StringComparison.Ordinal);
    }

    [NginxFact]
    public void The_roots_max_snapshot_validity_bounds_registry_max_validity()
    {
        var oneDay = Root(1, Ci) with { MaxSnapshotValidity = TimeSpan.FromDays(1) };
        using var host = new RootedHost(oneDay, Alice, Bob);
        // A week-long snapshot: within Registry:MaxValidity (30 days), beyond the root's one day.
        host.PublishSnapshot(1, KeyOne, Ci);
        var sync = host.Sync();
        Assert.NotEqual(0, sync.ExitCode);
        Assert.Equal("validity-too-long", (string?)host.StatusJson()["registry_problem"]);
        Assert.Equal("(absent)", host.KeysFile);
    }
}
