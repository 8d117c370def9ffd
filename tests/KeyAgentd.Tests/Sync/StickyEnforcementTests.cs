using KeyAgentd.Sync;
using KeyAgentd.Tests.Support;
using static KeyAgentd.Tests.Sync.SignedSandbox;

namespace KeyAgentd.Tests.Sync;

/// <summary>
/// Signature enforcement does not depend on a file existing: once a host has accepted a signed
/// snapshot it stays enforced (recorded in the trust state), and anything at Registry:AllowedSignersFile
/// that is not a readable trust root refuses every snapshot as trust-roots-unusable.
/// </summary>
public class StickyEnforcementTests
{
    private static readonly string Intruder = SshKeygen.Generate("ed25519", comment: "intruder");

    private static string WithIntruder(long serial) => Doc(serial, d => d["accounts"]!["ops"]!["keys"]!.AsArray().Add(EngineSandbox.Key(Intruder, "intruder@example.com")));

    /// <summary>What can be at the allowed_signers path instead of the file.</summary>
    public static TheoryData<string> Breakages => new() { "missing", "a directory", "a dangling symlink" };

    internal static void Break(SignedSandbox sandbox, string breakage)
    {
        string path = sandbox.AllowedSignersPath;
        File.Delete(path);
        switch (breakage)
        {
            case "a directory":
                Directory.CreateDirectory(path);
                break;
            case "a dangling symlink":
                File.CreateSymbolicLink(path, Path.Combine(sandbox.Box.Root, "nowhere"));
                break;
            case "an empty file":
                File.WriteAllText(path, "");
                break;
        }
    }

    [Theory]
    [MemberData(nameof(Breakages))]
    public async Task After_a_signed_snapshot_a_broken_trust_root_refuses_an_unsigned_one(string breakage)
    {
        using var sandbox = new SignedSandbox();
        await SignedRegistryRefusalTests.AppliedAsync(sandbox);
        var before = sandbox.ProtectedFiles();
        Break(sandbox, breakage);
        sandbox.Box.Restart();

        sandbox.Publish(WithIntruder(3), null);
        var result = await sandbox.Box.SyncAsync();

        Assert.True(result.RegistryProblem?.Code == "trust-roots-unusable", $"{breakage}: {SyncSummary.Render(result)}");
        Assert.Equal(before, sandbox.ProtectedFiles());
        Assert.DoesNotContain("intruder", File.ReadAllText(sandbox.Box.KeysPath("ops")), StringComparison.Ordinal);
        Assert.Equal("enforce", sandbox.Box.State.LoadStatus().Signatures);
    }

    [Theory]
    [InlineData("a directory")]
    [InlineData("a dangling symlink")]
    public async Task On_a_new_host_something_at_the_path_that_is_not_a_file_enforces(string breakage)
    {
        using var sandbox = new SignedSandbox();
        Break(sandbox, breakage);

        sandbox.Publish(WithIntruder(2), null);
        var result = await sandbox.Box.SyncAsync();

        Assert.True(result.RegistryProblem?.Code == "trust-roots-unusable", $"{breakage}: {SyncSummary.Render(result)}");
        Assert.False(File.Exists(sandbox.Box.KeysPath("ops")));
    }

    [Theory]
    [InlineData("off")]
    [InlineData("report")]
    public async Task Configuring_signatures_down_does_not_downgrade_a_host_that_has_enforced(string mode)
    {
        using var sandbox = new SignedSandbox();
        await SignedRegistryRefusalTests.AppliedAsync(sandbox);
        sandbox.Box.Settings.Registry.Signatures = mode;
        sandbox.Box.Restart();

        sandbox.Publish(WithIntruder(3), null);
        var result = await sandbox.Box.SyncAsync();

        Assert.True(result.RegistryProblem?.Code == "signature-missing", $"{mode}: {SyncSummary.Render(result)}");
        Assert.DoesNotContain("intruder", File.ReadAllText(sandbox.Box.KeysPath("ops")), StringComparison.Ordinal);
        Assert.Equal("enforce", sandbox.Box.State.LoadStatus().Signatures);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Deleting_the_trust_state_does_not_lift_enforcement(bool auditLogLostToo)
    {
        using var sandbox = new SignedSandbox();
        await SignedRegistryRefusalTests.AppliedAsync(sandbox);
        string stateDir = sandbox.Box.Settings.State.Directory;
        File.Delete(Path.Combine(stateDir, "trust-state.json"));
        File.Delete(Path.Combine(stateDir, "status.json"));
        File.Delete(sandbox.AllowedSignersPath);
        if (auditLogLostToo)
        {
            // What is left: the saved snapshot.json.sig.
            File.Delete(sandbox.Box.Settings.Audit.Path);
        }
        sandbox.Box.Restart();

        sandbox.Publish(WithIntruder(3), null);
        var result = await sandbox.Box.SyncAsync();

        Assert.True(result.RegistryProblem?.Code == "trust-roots-unusable", SyncSummary.Render(result));
        Assert.DoesNotContain("intruder", File.ReadAllText(sandbox.Box.KeysPath("ops")), StringComparison.Ordinal);
    }
}
