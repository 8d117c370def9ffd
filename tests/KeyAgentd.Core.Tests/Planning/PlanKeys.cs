using KeyAgentd.Core.AuthorizedKeys;
using KeyAgentd.Core.Planning;
using KeyAgentd.Core.Snapshot;

namespace KeyAgentd.Core.Tests.Planning;

/// <summary>Real keys and desired-key values for planner tests.</summary>
internal static class PlanKeys
{
    public static string Alice => SshKeygen.Generate("ed25519", 0, "alice@example.com");

    public static string Bob => SshKeygen.Generate("ecdsa", 256, "bob@example.com");

    public static string Carol => SshKeygen.Generate("rsa", 2048, "carol@example.com");

    public static string OldBob => SshKeygen.Generate("rsa", 2048, "bob@old");

    public static string Stranger => SshKeygen.Generate("ed25519", 0, "stranger@elsewhere");

    public static string Admin => SshKeygen.Generate("ed25519", 0, "break-glass admin");

    /// <summary>A pool of distinct keys for randomised tests.</summary>
    public static string Pool(int index) => SshKeygen.Generate(index % 3 == 2 ? "ecdsa" : "ed25519", index % 3 == 2 ? 256 : 0, $"pool-{index}");

    public static DesiredKey Desired(string line, string? owner = null, string? label = null, string? options = null)
    {
        var parsed = AuthorizedKeyLineParser.Parse(line);
        Assert.True(parsed.IsKey, line);
        string who = owner ?? parsed.Comment ?? "someone";
        return new DesiredKey(parsed.Key!, options is null ? KeyOptions.Empty : KeyOptionsParser.Parse(options), parsed.Comment ?? who, who, label, null);
    }

    /// <summary>A plan for authorized_keys delivery, the way most tests need one.</summary>
    public static AccountPlan PlanFile(string account, IReadOnlyList<DesiredKey> desired, string? current, OwnershipMode mode, IReadOnlyList<string> breakGlass,
        string? cache = null, Withdrawals? withdrawn = null) =>
        Planner.Plan(new PlanInput(account, desired, mode)
        {
            CurrentFile = current,
            BreakGlass = breakGlass,
            CurrentCache = cache,
            Withdrawn = withdrawn ?? Withdrawals.None,
        });

    /// <summary>The cache file the state store writes for a plan's cache keys (index line first), as the next cycle reads it.</summary>
    public static string? OnDisk(string? cacheText) =>
        cacheText is null ? null : System.Text.Encoding.UTF8.GetString(KeyAgentd.Core.HelperCache.CacheIndex.FileFor(cacheText));

    public static string Fingerprint(string line) => AuthorizedKeyLineParser.Parse(line).Key!.Sha256Fingerprint;
}
