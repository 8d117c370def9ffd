using KeyAgentd.Accounts;
using KeyAgentd.Core.Planning;
using KeyAgentd.Core.Snapshot;
using KeyAgentd.Expand;
using KeyAgentd.Homes;
using KeyAgentd.Sync;
using KeyAgentd.Tests.Sync;
using Microsoft.Extensions.Logging.Abstractions;

namespace KeyAgentd.Tests.Homes;

/// <summary>
/// The daemon's no-change cycle per account: a plan that found nothing to write is used again while the
/// account's files are the very bytes it was made from, and never once anything about them changed.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class UnchangedHomesTests : IDisposable
{
    private readonly EngineSandbox _box = AccountPlannerTests.Host();
    private readonly ExpansionMemo _memo = new();
    private readonly AccountPlanner _planner;
    private readonly HostExpander _expander;

    public UnchangedHomesTests()
    {
        // Files written a moment ago count as settled only by a clock that has moved on since.
        var later = new ManualTimeProvider(DateTimeOffset.UtcNow.AddMinutes(1));
        _planner = new AccountPlanner(_box.Settings, new HomeKeyFiles(), _box.State, new UnchangedHomes(later));
        _expander = new HostExpander(_box.Settings, new PasswdFileAccountDatabase(_box.PasswdPath), _box.State, _memo, _box.Time, NullLogger.Instance);
        byte[] content = File.ReadAllBytes(_box.RegistryPath);
        Assert.True(RegistrySnapshotParser.TryParse(content, out var snapshot, out var error), error?.Message);
        _memo.RememberSnapshot(content, snapshot);
        Snapshot = snapshot;
    }

    private RegistrySnapshot Snapshot { get; }

    public void Dispose() => _box.Dispose();

    /// <summary>Stages 2 to 4 with this test's planner, which lives from cycle to cycle as the daemon's does.</summary>
    private PlannedAccounts Plan()
    {
        var expansion = _expander.Expand(Snapshot, _box.Time.GetUtcNow());
        var selection = _expander.SelectAccounts(expansion.Desired);
        return _planner.Plan(selection.Managed, expansion, selection.FilesBefore);
    }

    private async Task<AccountPlan> SyncedAndPlannedAsync()
    {
        await _box.SyncAsync();
        var plan = Assert.Single(Plan().Plans);
        Assert.Null(plan.FileText);
        return plan;
    }

    [Fact]
    public async Task An_account_whose_files_did_not_change_keeps_its_plan_without_being_planned_again()
    {
        var first = await SyncedAndPlannedAsync();

        var again = Assert.Single(Plan().Plans);

        Assert.Same(first, again);
    }

    [Fact]
    public async Task An_edit_to_authorized_keys_is_seen_even_when_it_keeps_the_size()
    {
        var first = await SyncedAndPlannedAsync();
        string path = _box.KeysPath("app");
        string text = File.ReadAllText(path);
        // Same length, one key's comment changed: only the file's identity (its change time) tells.
        File.WriteAllText(path, text.Replace(" app", " APP", StringComparison.Ordinal));

        var again = Assert.Single(Plan().Plans);

        Assert.NotSame(first, again);
        Assert.Equal(text, again.FileText);
    }

    [Fact]
    public async Task A_cache_changed_behind_the_daemon_is_planned_again()
    {
        var first = await SyncedAndPlannedAsync();
        string cache = _box.CachePath("app");
        File.WriteAllText(cache, File.ReadAllText(cache).Replace(" app", " APP", StringComparison.Ordinal));

        var again = Assert.Single(Plan().Plans);

        Assert.NotSame(first, again);
        Assert.NotNull(again.CacheText);
    }

    [Fact]
    public async Task A_home_made_unsafe_fails_the_account_although_its_file_did_not_change()
    {
        await SyncedAndPlannedAsync();
        File.SetUnixFileMode(Path.GetDirectoryName(_box.KeysPath("app"))!, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.OtherWrite | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);

        var planned = Plan();

        Assert.Empty(planned.Plans);
        Assert.Equal(FileRefusal.SshDirWritable, Assert.Single(planned.Failures).Code);
    }

    [Fact]
    public async Task A_ssh_directory_swapped_for_a_link_to_the_same_files_fails_the_account()
    {
        await SyncedAndPlannedAsync();
        string ssh = Path.GetDirectoryName(_box.KeysPath("app"))!;
        // Moving the directory leaves the file's inode and change time as they were: only ~/.ssh itself tells.
        Directory.Move(ssh, ssh + "-real");
        File.CreateSymbolicLink(ssh, ssh + "-real");

        var planned = Plan();

        Assert.Empty(planned.Plans);
        Assert.Equal(FileRefusal.SshDirSymlink, Assert.Single(planned.Failures).Code);
    }

    [Fact]
    public async Task A_home_made_writable_by_others_fails_the_account_although_nothing_in_it_changed()
    {
        await SyncedAndPlannedAsync();
        string home = Path.GetDirectoryName(Path.GetDirectoryName(_box.KeysPath("app")))!;
        File.SetUnixFileMode(home, File.GetUnixFileMode(home) | UnixFileMode.OtherWrite);

        var planned = Plan();

        Assert.Empty(planned.Plans);
        Assert.Equal(FileRefusal.HomeWritable, Assert.Single(planned.Failures).Code);
    }

    [Fact]
    public async Task A_new_desired_state_plans_every_account_again()
    {
        var first = await SyncedAndPlannedAsync();
        _memo.RememberSnapshot([.. File.ReadAllBytes(_box.RegistryPath), (byte)' '], Snapshot with { });

        var again = Assert.Single(Plan().Plans);

        Assert.NotSame(first, again);
        Assert.Null(again.FileText);
    }
}
