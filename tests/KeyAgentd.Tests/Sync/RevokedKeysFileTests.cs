using System.Text.Json.Nodes;
using KeyAgentd.Sync;
using KeyAgentd.Tests.Support;
using static KeyAgentd.Tests.Sync.SignedSandbox;

namespace KeyAgentd.Tests.Sync;

/// <summary>The snapshot's revoked list as the KRL at Sshd:RevokedKeysFile, with `ssh-keygen -Q` as the oracle.</summary>
public class RevokedKeysFileTests
{
    private static readonly string Elsewhere = SshKeygen.Generate("ed25519", comment: "revoked-elsewhere");
    private static readonly string Innocent = SshKeygen.Generate("ecdsa", 384, comment: "innocent");

    [Fact]
    public async Task Every_revoked_key_is_revoked_for_ssh_keygen_and_no_other()
    {
        using var sandbox = new SignedSandbox();
        // One revoked key the snapshot still carries (explicit key and fingerprint), one it only names by fingerprint.
        string doc = Doc(2, d => d["revoked"] = new JsonArray(Fingerprint(RevokedKey), Fingerprint(Elsewhere)));
        sandbox.PublishSigned(doc, Release);

        var result = await sandbox.Box.SyncAsync();

        Assert.True(result.Outcome == SyncOutcome.Ok, SyncSummary.Render(result));
        Assert.True(Query(sandbox.KrlPath, RevokedKey));
        Assert.True(Query(sandbox.KrlPath, Elsewhere));
        foreach (string kept in new[] { AppKey, AppRsaKey, OpsKey, Innocent })
        {
            Assert.False(Query(sandbox.KrlPath, kept), kept);
        }
        Assert.Equal(0x1A4, (int)TestAccount.Lstat(sandbox.KrlPath).st_mode & 0xFFF);
    }

    [Fact]
    public async Task An_unchanged_list_is_not_rewritten_and_a_changed_one_is()
    {
        using var sandbox = new SignedSandbox();
        await SignedRegistryRefusalTests.AppliedAsync(sandbox);
        var first = Identity(sandbox.KrlPath);

        sandbox.PublishSigned(Doc(3, d => d["accounts"]!["app"]!["keys"]!.AsArray().RemoveAt(1)), Release);
        var same = await sandbox.Box.SyncAsync();
        Assert.True(same.Outcome == SyncOutcome.Ok, SyncSummary.Render(same));
        Assert.Equal(first, Identity(sandbox.KrlPath));

        sandbox.PublishSigned(Doc(4, d => d["revoked"] = new JsonArray(Fingerprint(RevokedKey), Fingerprint(Innocent))), Release);
        var changed = await sandbox.Box.SyncAsync();
        Assert.True(changed.Outcome == SyncOutcome.Ok, SyncSummary.Render(changed));
        Assert.NotEqual(first.Inode, Identity(sandbox.KrlPath).Inode);
        Assert.True(Query(sandbox.KrlPath, Innocent));
    }

    [Fact]
    public async Task A_first_cycle_with_the_registry_down_leaves_a_valid_krl_that_revokes_nothing()
    {
        // sshd refuses every public key while its RevokedKeys file is missing: root's hand-placed key too.
        using var box = new EngineSandbox(["alice"], registryUrl: "http://127.0.0.1:9/registry.json");
        string krl = box.Settings.Sshd.ResolveRevokedKeysFile(box.Settings.State);

        var result = await box.SyncAsync();

        Assert.Equal(SyncOutcome.RegistryUnusable, result.Outcome);
        Assert.True(File.Exists(krl), $"no KRL at {krl} after a cycle with the registry down");
        foreach (string key in new[] { Elsewhere, Innocent })
        {
            Assert.False(Query(krl, key), key);
        }
        Assert.Equal(0x1A4, (int)TestAccount.Lstat(krl).st_mode & 0xFFF);
    }

    [Fact]
    public async Task A_krl_that_revokes_keys_is_never_replaced_by_an_empty_one_when_no_snapshot_is_usable()
    {
        using var sandbox = new SignedSandbox();
        sandbox.PublishSigned(Doc(2, d => d["revoked"] = new JsonArray(Fingerprint(Elsewhere))), Release);
        Assert.Equal(SyncOutcome.Ok, (await sandbox.Box.SyncAsync()).Outcome);
        byte[] revoking = File.ReadAllBytes(sandbox.KrlPath);
        // No last-known-good any more (deleted by hand), and the registry is gone.
        File.Delete(Path.Combine(sandbox.Box.Settings.State.Directory, "snapshot.json"));
        File.Delete(sandbox.Box.RegistryPath);
        sandbox.Box.Restart();

        var result = await sandbox.Box.SyncAsync();

        Assert.Equal(SyncOutcome.RegistryUnusable, result.Outcome);
        Assert.Equal(revoking, File.ReadAllBytes(sandbox.KrlPath));
        Assert.True(Query(sandbox.KrlPath, Elsewhere));
    }

    private static (long Size, long MtimeNs, ulong Inode) Identity(string path)
    {
        var st = TestAccount.Lstat(path);
        return (st.st_size, st.st_mtime * 1_000_000_000 + st.st_mtime_nsec, st.st_ino);
    }

    /// <summary>`ssh-keygen -Q -f KRL key.pub`: true when it reports the key REVOKED (exit 1), false for "ok" (exit 0).</summary>
    internal static bool Query(string krlPath, string keyLine)
    {
        using var dir = new TempDirectory("keyagentd-krl-");
        File.WriteAllText(dir.File("key.pub"), keyLine + "\n");
        var result = ProcessRunner.Run("ssh-keygen", ["-Q", "-f", krlPath, dir.File("key.pub")]);
        Assert.True(result.ExitCode is 0 or 1, result.Stderr);
        Assert.Equal(result.ExitCode == 1, result.Stdout.Contains(": REVOKED", StringComparison.Ordinal));
        return result.ExitCode == 1;
    }
}
