using KeyAgentd.Core.Planning;
using KeyAgentd.Core.Policy;

namespace KeyAgentd.RegistrySource;

/// <summary>What `registry build` was asked for (README "Registry source: build").</summary>
internal sealed record BuildSettings(KeyPolicy Policy, DateTimeOffset Now)
{
    public TimeSpan Validity { get; init; } = TimeSpan.FromDays(7);

    public TimeSpan RefreshBefore { get; init; } = TimeSpan.FromDays(2);

    public bool DefaultDocument { get; init; }

    public string? Commit { get; init; }

    public RemovalLimits Limits { get; init; } = new();

    /// <summary>--approve-removal REASON: documents over the guard carry a removal_approval instead of stopping the build.</summary>
    public string? ApproveRemoval { get; init; }

    public bool Force { get; init; }

    /// <summary>--diff-against: the published tree to compare with (and to guard against) instead of the output directory's own previous contents.</summary>
    public string? Baseline { get; init; }

    /// <summary>--keep-last-on-source-error: a person whose .keys URL fails keeps the keys the previous build in the output directory gave them.</summary>
    public bool KeepLastOnSourceError { get; init; }

    /// <summary>--state-dir: where the build keeps its sources' answers between builds; never inside the output directory.</summary>
    public string? StateDirectory { get; init; }

    /// <summary>--timings: print where the build's time went (<see cref="BuildTimings"/>).</summary>
    public bool Timings { get; init; }
}
