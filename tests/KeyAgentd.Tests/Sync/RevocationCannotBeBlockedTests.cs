using System.Text.Json;
using KeyAgentd.Accounts;
using KeyAgentd.Cli;
using KeyAgentd.Configuration;
using KeyAgentd.Sync;
using KeyAgentd.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace KeyAgentd.Tests.Sync;

/// <summary>
/// A departing user must not keep a revoked key by turning their own authorized_keys into
/// something the writer refuses to read (a symlink, a hard link, a FIFO): in exclusive mode the
/// entry is replaced by renameat, unread, and whatever it pointed at is left alone.
/// </summary>
[Trait("Category", "Integration")]
public sealed class RevocationCannotBeBlockedTests
{
    [RootFact]
    public async Task Symlink_to_own_copy_does_not_keep_a_revoked_key() =>
        await AssertRevokedDespite((account, keyFile) =>
        {
            string copy = Path.Combine(account.SshDir, "keep");
            File.Copy(keyFile, copy);
            TestAccount.Chown(copy, account.Uid, account.Gid);
            File.Delete(keyFile);
            File.CreateSymbolicLink(keyFile, copy);
            return copy;
        });

    [RootFact]
    public async Task Hard_link_does_not_keep_a_revoked_key() =>
        await AssertRevokedDespite((account, keyFile) =>
        {
            string other = Path.Combine(account.SshDir, "keep");
            TestAccount.Run("ln", keyFile, other);
            return other;
        });

    [RootFact]
    public async Task Fifo_in_place_of_the_file_is_replaced_without_blocking() =>
        await AssertRevokedDespite((_, keyFile) =>
        {
            File.Delete(keyFile);
            TestAccount.Run("mkfifo", keyFile);
            return null;
        });

    private static async Task AssertRevokedDespite(Func<TestAccount, string, string?> sabotage)
    {
        using var account = TestAccount.Create();
        using var scratch = new TempDirectory();
        string alice = SshKeygen.Generate("ed25519", comment: "alice");
        string bob = SshKeygen.Generate("ed25519", comment: "bob", cached: false);
        string registry = scratch.File("registry.json");
        var settings = new KeyAgentdSettings
        {
            Registry = { Url = "file://" + registry },
            State = { Directory = scratch.File("state") },
            Audit = { Path = scratch.File("audit.jsonl") },
        };
        WriteRegistry(registry, 1, account.Account.Name, alice, bob);
        Assert.Equal(SyncOutcome.Ok, (await Sync(settings)).Outcome);

        string? linkedElsewhere = sabotage(account, account.KeyFile);
        byte[]? elsewhereBefore = linkedElsewhere is null ? null : File.ReadAllBytes(linkedElsewhere);
        WriteRegistry(registry, 2, account.Account.Name, alice);
        var result = await Sync(settings);

        Assert.Equal(SyncOutcome.Ok, result.Outcome);
        var st = TestAccount.Lstat(account.KeyFile);
        Assert.Equal(Mono.Unix.Native.FilePermissions.S_IFREG, (Mono.Unix.Native.FilePermissions)st.st_mode & Mono.Unix.Native.FilePermissions.S_IFMT);
        Assert.Equal(1UL, st.st_nlink);
        Assert.Equal(0x180u, TestAccount.Mode(account.KeyFile));
        string text = File.ReadAllText(account.KeyFile);
        Assert.Contains(alice.Split(' ')[1], text);
        Assert.DoesNotContain(bob.Split(' ')[1], text);
        if (linkedElsewhere is not null)
        {
            // What the link pointed at is the user's own business: never written, never truncated.
            Assert.Equal(elsewhereBefore, File.ReadAllBytes(linkedElsewhere));
        }
        Assert.Contains("\"action\":\"file-replaced\"", File.ReadAllText(settings.Audit.Path));
    }

    private static async Task<SyncResult> Sync(KeyAgentdSettings settings)
    {
        using var services = AppServices.BuildForCommand(settings);
        return await services.GetRequiredService<SyncEngine>().RunAsync(new SyncOptions(), default);
    }

    private static void WriteRegistry(string path, int serial, string account, params string[] keys)
    {
        var document = new
        {
            schema = "keyagentd.registry/v1",
            serial,
            issued_at = "2026-11-21T10:00:00Z",
            people = keys.Select((k, i) => (k, i)).ToDictionary(p => $"p{p.i}@example.com", p => new { keys = new[] { new { key = p.k } } }),
            accounts = new Dictionary<string, object> { [account] = new { grants = keys.Select((_, i) => $"p{i}@example.com").ToArray() } },
        };
        File.WriteAllText(path, JsonSerializer.Serialize(document));
    }
}
