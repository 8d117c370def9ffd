using KeyAgentd.Trust.Root;

namespace KeyAgentd.RootRotation;

/// <summary>
/// Checks a directory's versions as a host walks them, with the host's own <see cref="RootVerifier"/>: the
/// first by the pinned fingerprints (or on its own keys), every next one as the successor of the one
/// before. The walk stops at the first refusal: a host would never get past it. Pure.
/// </summary>
internal static class RootChainCheck
{
    /// <param name="Check">null for a version not reached (a version before it was refused)</param>
    internal sealed record Verdict(long Version, RootCheck? Check);

    /// <param name="Verdicts">one per file, in order</param>
    /// <param name="Newest">the newest version accepted, null when none was</param>
    /// <param name="Expired">the newest accepted version has expired: hosts would refuse every snapshot</param>
    internal sealed record Result(IReadOnlyList<Verdict> Verdicts, TrustRoot? Newest, bool Expired)
    {
        public bool IsComplete => Verdicts.Count > 0 && Verdicts.All(v => v.Check is { IsAccepted: true }) && !Expired;
    }

    /// <param name="pins">SHA256 fingerprints the first version's signing root keys must be among; null checks it on its own keys</param>
    public static Result Verify(IReadOnlyList<RootVersionFile> versions, IReadOnlyCollection<string>? pins, int minRsaBits, DateTimeOffset now)
    {
        var verdicts = new List<Verdict>();
        TrustRoot? current = null;
        bool stopped = false;
        foreach (var version in versions)
        {
            if (stopped)
            {
                verdicts.Add(new Verdict(version.Version, null));
                continue;
            }
            var check = current is null
                ? RootVerifier.VerifyFirst(version.Document, version.Signature ?? [], pins, minRsaBits, now)
                : RootVerifier.VerifySuccessor(current, version.Document, version.Signature ?? [], minRsaBits, now);
            if (check.IsAccepted && check.Root!.Version != version.Version)
            {
                // N.json is fetched by its name: bytes of another version under it would be a skip or a replay on every host.
                check = new RootCheck(check.Root.Version < version.Version ? RootReason.Rollback : RootReason.VersionSkip,
                    $"{RootDirectory.DocumentName(version.Version)} holds version {check.Root.Version}", check.Root.Version, null, check.ByPrevious, check.ByItself);
            }
            verdicts.Add(new Verdict(version.Version, check));
            if (check.IsAccepted)
            {
                current = check.Root;
            }
            else
            {
                stopped = true;
            }
        }
        return new Result(verdicts, current, current?.IsExpired(now) ?? false);
    }
}
