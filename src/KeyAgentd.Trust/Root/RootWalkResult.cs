namespace KeyAgentd.Trust.Root;

/// <summary>
/// Where a walk ended. <see cref="Current"/> is the newest root accepted (the starting one if none was);
/// <see cref="Accepted"/> lists each new version in order, for the audit log. A refused version stops the
/// walk (<see cref="Refused"/>), as does a fetch problem (<see cref="FetchProblem"/>); neither undoes the
/// versions accepted before it.
/// </summary>
public sealed record RootWalkResult(
    TrustRoot Current,
    IReadOnlyList<TrustRoot> Accepted,
    RootCheck? Refused,
    RootFetch.Failed? FetchProblem,
    bool Expired,
    bool MoreToWalk)
{
    /// <summary>Whether snapshots may be judged against <see cref="Current"/>: it has not expired.</summary>
    public bool Usable => !Expired;
}
