namespace KeyAgentd.Trust.Root;

/// <summary>
/// TUF's root update (5.3): from the trusted root N, ask for N+1, N+2… until one is not published, accepting
/// each only from its predecessor (<see cref="RootVerifier.VerifySuccessor"/>); a host offline through
/// several rotations catches up in one cycle. The newest root reached is then checked for expiry: an
/// expired root with no successor stops snapshots (never empties a host) until one is published.
/// At most <see cref="TrustRootRules.MaxVersionsPerWalk"/> versions per walk, so a server cannot keep a host walking.
/// </summary>
public static class RootWalk
{
    /// <param name="fetch">Fetches version N's document and signature.</param>
    public static async Task<RootWalkResult> WalkAsync(TrustRoot start, Func<long, CancellationToken, Task<RootFetch>> fetch,
        int minRsaBits, DateTimeOffset now, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(fetch);
        var current = start;
        var accepted = new List<TrustRoot>();
        RootCheck? refused = null;
        RootFetch.Failed? failed = null;
        bool more = false;
        for (int step = 0; ; step++)
        {
            if (step == TrustRootRules.MaxVersionsPerWalk)
            {
                more = true;
                break;
            }
            var next = await fetch(current.Version + 1, cancellation).ConfigureAwait(false);
            if (next is RootFetch.Failed problem)
            {
                failed = problem;
                break;
            }
            if (next is not RootFetch.Found found)
            {
                break;
            }
            var check = RootVerifier.VerifySuccessor(current, found.Document, found.Signature, minRsaBits, now);
            if (!check.IsAccepted)
            {
                refused = check;
                break;
            }
            current = check.Root!;
            accepted.Add(current);
        }
        return new RootWalkResult(current, accepted, refused, failed, current.IsExpired(now), more);
    }
}
