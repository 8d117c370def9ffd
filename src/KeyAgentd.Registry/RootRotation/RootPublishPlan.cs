using KeyAgentd.Trust.Root;

namespace KeyAgentd.RootRotation;

/// <summary>
/// What `root publish` writes into WEBROOT/root/, in order, so a host polling at any moment never meets a
/// root it cannot check: versions in ascending order (a host walks N+1 only after N), each version's .sig
/// before its .json (a published N.json always has its signatures beside it), current.json last. A version
/// is published once its .json is there, and is never changed after: the same bytes are skipped, other
/// bytes (of the document or its .sig), or a published version the source lacks, refuse the whole
/// publish. The source must be a complete chain from version 1 whose newest version is current. Pure.
/// </summary>
internal static class RootPublishPlan
{
    /// <param name="Name">a file name in WEBROOT/root/</param>
    internal sealed record Step(string Name, byte[] Bytes);

    /// <exception cref="RootRefusedException">The source chain is broken, or the web root holds a version that differs.</exception>
    public static IReadOnlyList<Step> Decide(RootDirectory source, RootChainCheck.Result chain, RootDirectory published)
    {
        if (source.Versions.Count == 0 || source.Versions[0].Version != 1)
        {
            throw new RootRefusedException(RootRefusal.ChainBroken, source.Versions.Count == 0
                ? $"{source.Path} holds no root version (1.json, 2.json, …)"
                : $"{source.Path} starts at version {source.Versions[0].Version}: a host holding an older root could not walk to it; keep every version from 1.json");
        }
        if (!chain.IsComplete)
        {
            var refused = chain.Verdicts.FirstOrDefault(v => v.Check is not { IsAccepted: true });
            throw new RootRefusedException(RootRefusal.ChainBroken, refused?.Check is { } check
                ? $"version {refused.Version} of {source.Path} is refused ({check}); every host would refuse it too"
                : $"the newest version of {source.Path} ({chain.Newest?.Version}) expired at {TrustRootWriter.Date(chain.Newest!.ExpiresAt)}; propose a successor with a later --expires");
        }
        foreach (var live in published.Versions)
        {
            var mine = source.Find(live.Version);
            if (mine is null)
            {
                throw new RootRefusedException(RootRefusal.PublishedDiffers,
                    $"{published.Path} holds version {live.Version}, which {source.Path} lacks: publishing would move current.json backwards");
            }
            if (!mine.Document.AsSpan().SequenceEqual(live.Document) || !(mine.Signature ?? []).AsSpan().SequenceEqual(live.Signature ?? []))
            {
                throw new RootRefusedException(RootRefusal.PublishedDiffers,
                    $"{published.Path} already publishes version {live.Version} with other bytes ({(mine.Document.AsSpan().SequenceEqual(live.Document) ? "its .sig differs" : "the document differs")}); a published version never changes, hosts may hold it. Propose version {source.Versions[^1].Version + 1} instead");
            }
        }
        var steps = new List<Step>();
        foreach (var version in source.Versions.Where(v => published.Find(v.Version) is null))
        {
            string name = RootDirectory.DocumentName(version.Version);
            steps.Add(new Step(name + ".sig", version.Signature!));
            steps.Add(new Step(name, version.Document));
        }
        byte[] newest = source.Versions[^1].Document;
        if (published.Current is null || !published.Current.AsSpan().SequenceEqual(newest))
        {
            steps.Add(new Step(RootDirectory.CurrentName, newest));
        }
        return steps;
    }
}
