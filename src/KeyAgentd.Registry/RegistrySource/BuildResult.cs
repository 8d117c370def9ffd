using KeyAgentd.Core.Source;

namespace KeyAgentd.RegistrySource;

/// <summary>How a build ended: typed counts and lists; the command renders them.</summary>
internal sealed record BuildResult(BuildOutcome Outcome, IReadOnlyList<SourceProblem> Problems)
{
    public long Serial { get; init; }

    public IReadOnlyList<string> New { get; init; } = [];

    public IReadOnlyList<string> Changed { get; init; } = [];

    public IReadOnlyList<string> Reissued { get; init; } = [];

    public int Unchanged { get; init; }

    public IReadOnlyList<string> Deleted { get; init; } = [];

    /// <summary>Documents whose host would refuse them under the mass-removal guard, with the diff that says why.</summary>
    public IReadOnlyList<(string Document, SnapshotDiff Diff)> Guarded { get; init; } = [];

    public string? Signer { get; init; }

    /// <summary>Where a build's time went (`build --timings`); null when it stopped before publishing.</summary>
    public BuildTimings? Timings { get; init; }
}
