using System.Text.Json.Nodes;
using KeyAgentd.Audit;
using KeyAgentd.State;
using KeyAgentd.Sync;
using KeyAgentd.Tests.Support;

namespace KeyAgentd.Tests.Sync;

/// <summary>
/// A host refusing a person's key whose own options would widen the account's restriction: the
/// key reaches neither the file nor the helper cache, and the audit log names the reason.
/// </summary>
[Trait("Category", "Integration")]
public sealed class OptionWideningSyncTests
{
    [RootFact]
    public async Task A_key_whose_permitopen_widens_the_accounts_is_refused_and_audited_as_option_widens_rule()
    {
        using var sandbox = new SyncSandbox();
        using var alice = TestAccount.Create();
        string plain = SshKeygen.Generate("ed25519", comment: "plain");
        string widening = SshKeygen.Generate("ed25519", comment: "widening");
        var accounts = new JsonObject
        {
            [alice.Account.Name] = new JsonObject { ["grants"] = new JsonArray("p"), ["options"] = "permitopen=\"127.0.0.1:2300\"" },
        };
        var people = new JsonObject
        {
            ["p"] = new JsonObject
            {
                ["keys"] = new JsonArray(new JsonObject { ["key"] = plain }, new JsonObject { ["key"] = "permitopen=\"127.0.0.1:2301\" " + widening }),
            },
        };
        sandbox.PublishJson(accounts, people);

        await sandbox.SyncAsync();

        string file = File.ReadAllText(alice.KeyFile);
        string cache = File.ReadAllText(Path.Combine(sandbox.Settings.State.Directory, StateStore.KeysDirectoryName, alice.Account.Name));
        Assert.Contains("permitopen=\"127.0.0.1:2300\" " + plain.Split(' ')[0] + " " + plain.Split(' ')[1], file, StringComparison.Ordinal);
        Assert.DoesNotContain(widening.Split(' ')[1], file, StringComparison.Ordinal);
        Assert.DoesNotContain(widening.Split(' ')[1], cache, StringComparison.Ordinal);
        Assert.DoesNotContain("2301", file, StringComparison.Ordinal);
        var rejected = Assert.Single(sandbox.AuditRecords(AuditAction.KeyRejected.ToCode()));
        Assert.Equal("option-widens-rule", rejected.GetProperty("reason").GetString());
        Assert.Equal(SyncSandbox.Fingerprint(widening), rejected.GetProperty("fingerprint").GetString());
    }
}
