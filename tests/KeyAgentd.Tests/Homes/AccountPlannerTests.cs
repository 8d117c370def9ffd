using KeyAgentd.Accounts;
using KeyAgentd.Core.Planning;
using KeyAgentd.Core.Snapshot;
using KeyAgentd.Expand;
using KeyAgentd.Homes;
using KeyAgentd.HelperCache;
using KeyAgentd.Sync;
using KeyAgentd.Tests.Sync;
using Microsoft.Extensions.Logging.Abstractions;

namespace KeyAgentd.Tests.Homes;

/// <summary>The plan stage's reads alone, on a sandbox host with real homes.</summary>
public sealed class AccountPlannerTests : IDisposable
{
    internal static readonly string AppKey = SshKeygen.Generate("ed25519", comment: "app");

    private readonly EngineSandbox _box;

    public AccountPlannerTests()
    {
        _box = Host();
    }

    public void Dispose() => _box.Dispose();

    /// <summary>A host with one account, "app", granted <see cref="AppKey"/>.</summary>
    internal static EngineSandbox Host()
    {
        var box = new EngineSandbox(["app"]);
        box.WriteRegistry(EngineSandbox.Registry(1, new() { ["app"] = [EngineSandbox.Key(AppKey, "someone")] }));
        return box;
    }

    /// <summary>Stages 2 to 4 on the sandbox host, as the engine runs them.</summary>
    internal static PlannedAccounts Plan(EngineSandbox box)
    {
        Assert.True(RegistrySnapshotParser.TryParse(File.ReadAllBytes(box.RegistryPath), out var snapshot, out var error), error?.Message);
        var expander = new HostExpander(box.Settings, new PasswdFileAccountDatabase(box.PasswdPath), box.State, new ExpansionMemo(), box.Time, NullLogger.Instance);
        var expansion = expander.Expand(snapshot, box.Time.GetUtcNow());
        var selection = expander.SelectAccounts(expansion.Desired);
        return new AccountPlanner(box.Settings, new HomeKeyFiles(), box.State).Plan(selection.Managed, expansion, selection.FilesBefore);
    }

    private PlannedAccounts Plan() => Plan(_box);

    private void LinkAuthorizedKeys()
    {
        string path = _box.KeysPath("app");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.CreateSymbolicLink(path, "/etc/passwd");
    }

    [Fact]
    public void Each_account_is_planned_with_the_keys_the_snapshot_grants_it()
    {
        var planned = Plan();

        var plan = Assert.Single(planned.Plans);
        Assert.Equal("app", plan.Account);
        Assert.Contains(AppKey, plan.FileText, StringComparison.Ordinal);
        Assert.Empty(planned.Failures);
    }

    [Fact]
    public void In_exclusive_mode_a_linked_authorized_keys_is_planned_to_be_replaced_unread()
    {
        LinkAuthorizedKeys();

        var planned = Plan();

        Assert.Equal("app", Assert.Single(planned.Plans).Account);
        Assert.Equal(FileRefusal.FileSymlink, planned.UnsafeFiles["app"].Code);
    }

    [Fact]
    public void In_managed_block_mode_a_linked_authorized_keys_fails_the_account()
    {
        _box.Settings.Accounts.Mode = OwnershipMode.ManagedBlock;
        LinkAuthorizedKeys();

        var planned = Plan();

        Assert.Empty(planned.Plans);
        Assert.Equal(("app", FileRefusal.FileSymlink), (Assert.Single(planned.Failures).Account, planned.Failures[0].Code));
    }
}
