namespace KeyAgentd.RegistrySource;

/// <summary>
/// What the directories hold now for one document the source builds: the output directory's copy (and,
/// when the build signs, whether the .sig beside it verifies over those bytes by the build's key) and the published copy the guard compares with (the same copy
/// when there is no --diff-against).
/// </summary>
internal sealed record CurrentDocument(DocumentCopy InOutput, DocumentCopy Published, bool SignedInOutput)
{
    /// <summary>
    /// The removal guard's comparison with the published copy, made ahead on all cores (<see cref="BuildPlan.PrepareGuard"/>)
    /// for the plan to use when it decides this document; null when none was made ahead.
    /// </summary>
    public PreparedGuard? Guard { get; set; }
}

/// <summary>The guard's diff against the published copy, or the error that copy gave (rethrown where the plan decides, as if made there).</summary>
internal sealed record PreparedGuard(KeyAgentd.Core.Source.SnapshotDiff? Diff, System.Runtime.ExceptionServices.ExceptionDispatchInfo? Error);
