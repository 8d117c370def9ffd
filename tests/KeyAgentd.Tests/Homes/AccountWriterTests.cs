using KeyAgentd.Accounts;
using KeyAgentd.HelperCache;
using KeyAgentd.Homes;
using KeyAgentd.Tests.Sync;
using Microsoft.Extensions.Logging.Abstractions;
using static KeyAgentd.Tests.Homes.AccountPlannerTests;

namespace KeyAgentd.Tests.Homes;

/// <summary>The write stage alone: each plan's bytes into the helper cache and the home.</summary>
public sealed class AccountWriterTests : IDisposable
{
    private readonly EngineSandbox _box = Host();

    public void Dispose() => _box.Dispose();

    [Fact]
    public void The_writer_puts_each_plans_bytes_in_the_cache_and_the_home()
    {
        var planned = Plan(_box);
        var account = new PasswdFileAccountDatabase(_box.PasswdPath).Find("app")!;
        var writer = new AccountWriter(_box.Settings, new HomeKeyFiles(), new HelperCaches(_box.Settings, _box.State, NullLogger.Instance));

        var applied = writer.Apply(planned, new Dictionary<string, AccountInfo> { ["app"] = account }, default);

        Assert.Equal(1, applied.Written);
        Assert.Empty(applied.Failures);
        Assert.Contains(AppKey, File.ReadAllText(_box.KeysPath("app")), StringComparison.Ordinal);
        Assert.Contains(AppKey, _box.State.ReadCache("app"), StringComparison.Ordinal);
    }
}
