using KeyAgentd.Sync;
using KeyAgentd.Tests.Support;
using static KeyAgentd.Tests.Sync.SignedSandbox;

namespace KeyAgentd.Tests.Sync;

/// <summary>
/// The trust files (Registry:AllowedSignersFile, Registry:RevokedSignersFile) are read only when
/// nobody but root (or the user keyagentd runs as) can have written them, sshd's safe_path rule, and
/// only when they are a non-empty regular file: anything else makes the trust roots unusable, so the
/// snapshot is not applied and the last-known-good stays. Not "no signers", not a warning.
/// </summary>
[Trait("Category", "Integration")]
public class TrustRootFileSafetyTests
{
    private const uint Nobody = 65534;

    public static TheoryData<string, string> Unsafe => new()
    {
        { "allowed", "owned by another user" },
        { "allowed", "group-writable" },
        { "allowed", "world-writable" },
        { "allowed", "in a world-writable directory" },
        { "allowed", "in a directory another user owns" },
        { "allowed", "a directory" },
        { "allowed", "a dangling symlink" },
        { "allowed", "empty" },
        { "revoked", "owned by another user" },
        { "revoked", "group-writable" },
        { "revoked", "in a world-writable directory" },
        { "revoked", "a directory" },
        { "revoked", "a dangling symlink" },
        { "revoked", "empty" },
    };

    [RootTheory]
    [MemberData(nameof(Unsafe))]
    public async Task An_unsafe_trust_file_refuses_every_snapshot_and_keeps_the_last_known_good(string file, string state)
    {
        using var sandbox = new SignedSandbox(s => s.Registry.Signatures = "enforce");
        await SignedRegistryRefusalTests.AppliedAsync(sandbox);
        var before = sandbox.ProtectedFiles();
        byte[] lastKnownGood = sandbox.Box.State.LoadSnapshot()!;
        string path = Break(sandbox, file == "allowed", state);

        sandbox.PublishSigned(Doc(3, d => d["accounts"]!["app"]!["keys"]!.AsArray().RemoveAt(1)), Release);
        var result = await sandbox.Box.SyncAsync();

        Assert.True(result.Outcome == SyncOutcome.RegistryUnusable, $"{file} {state}: {SyncSummary.Render(result)}");
        Assert.Equal("trust-roots-unusable", result.RegistryProblem?.Code);
        Assert.Contains(path, result.RegistryProblem!.Message, StringComparison.Ordinal);
        Assert.Equal(2, result.Serial);
        Assert.Equal(before, sandbox.ProtectedFiles());
        Assert.Equal(lastKnownGood, sandbox.Box.State.LoadSnapshot());
    }

    [RootFact]
    public async Task Trust_files_behind_a_symlink_in_a_safe_directory_are_read_where_they_point()
    {
        using var sandbox = new SignedSandbox(s => s.Registry.Signatures = "enforce");
        string real = Path.Combine(sandbox.Box.Root, "trust", "allowed_signers");
        Directory.CreateDirectory(Path.GetDirectoryName(real)!);
        TestAccount.Chmod(Path.GetDirectoryName(real)!, 0x1ED);
        File.Move(sandbox.AllowedSignersPath, real);
        File.CreateSymbolicLink(sandbox.AllowedSignersPath, real);

        sandbox.PublishSigned(Doc(2), Release);
        var result = await sandbox.Box.SyncAsync();

        Assert.True(result.Outcome == SyncOutcome.Ok, SyncSummary.Render(result));
    }

    /// <summary>Puts the trust file into the unsafe state; returns the path the refusal must name.</summary>
    private static string Break(SignedSandbox sandbox, bool allowed, string state)
    {
        string path = allowed ? sandbox.AllowedSignersPath : sandbox.RevokedSignersPath;
        string content = File.ReadAllText(path);
        switch (state)
        {
            case "owned by another user":
                TestAccount.Chown(path, Nobody, Nobody);
                return path;
            case "group-writable":
                TestAccount.Chmod(path, 0x1B4); // 0664
                return path;
            case "world-writable":
                TestAccount.Chmod(path, 0x1A6); // 0646
                return path;
            case "in a world-writable directory":
            case "in a directory another user owns":
                string dir = Path.Combine(sandbox.Box.Root, "trust");
                Directory.CreateDirectory(dir);
                string moved = Path.Combine(dir, Path.GetFileName(path));
                File.WriteAllText(moved, content);
                if (state == "in a world-writable directory")
                {
                    TestAccount.Chmod(dir, 0x1FF); // 0777
                }
                else
                {
                    TestAccount.Chmod(dir, 0x1ED);
                    TestAccount.Chown(dir, Nobody, Nobody);
                }
                Retarget(sandbox, allowed, moved);
                return dir;
            case "a directory":
                File.Delete(path);
                Directory.CreateDirectory(path);
                return path;
            case "a dangling symlink":
                File.Delete(path);
                File.CreateSymbolicLink(path, Path.Combine(sandbox.Box.Root, "gone"));
                return path;
            case "empty":
                File.WriteAllText(path, "");
                return path;
            default:
                throw new ArgumentOutOfRangeException(nameof(state), state, null);
        }
    }

    private static void Retarget(SignedSandbox sandbox, bool allowed, string path)
    {
        if (allowed)
        {
            sandbox.Box.Settings.Registry.AllowedSignersFile = path;
        }
        else
        {
            sandbox.Box.Settings.Registry.RevokedSignersFile = path;
        }
    }
}
