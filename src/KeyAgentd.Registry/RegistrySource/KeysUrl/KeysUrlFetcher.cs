using System.Text;
using KeyAgentd.Core.Source;
using KeyAgentd.Fetch;

namespace KeyAgentd.RegistrySource.KeysUrl;

/// <summary>
/// Fetches every person's <c>.keys</c> URL through the daemon's HTTP client (per-attempt timeout,
/// retries with backoff, circuit breaker, size cap). Each body goes through <see cref="KeysFileParser"/>
/// like a people/*.keys file, so the same policy judges it. A failed source is an error naming the
/// person and URL, or, with --keep-last-on-source-error, a warning and the body the last build kept in
/// the state directory (<see cref="KeysUrlCache"/>), parsed and judged again. Never the published
/// documents: whoever writes the web root must not be able to choose the keys a failed source "had".
/// </summary>
internal static class KeysUrlFetcher
{
    /// <summary>A few fetches at once: GitHub rate-limits a single client, and the circuit breaker counts failures across them.</summary>
    private const int Parallelism = 8;

    /// <param name="cache">Last build's bodies and ETags: asked for with If-None-Match, reused on a 304 (null: always a full GET).</param>
    public static async Task<List<SourcePerson>> FetchAsync(IReadOnlyList<KeysUrlSource> sources, HttpClient client, bool keepLast,
        List<SourceProblem> problems, CancellationToken cancellationToken, KeysUrlCache? cache = null)
    {
        var fetched = new RegistryFetch[sources.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, sources.Count), new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken },
            async (i, token) => fetched[i] = await FetchOneAsync(client, sources[i].Url.ToString(), cache, token).ConfigureAwait(false)).ConfigureAwait(false);
        var people = new List<SourcePerson>(sources.Count);
        for (int i = 0; i < sources.Count; i++)
        {
            var (person, url, location) = sources[i];
            string source = url.ToString();
            if (fetched[i] is { Status: RegistryFetchStatus.Ok, Content: { } content })
            {
                people.Add(new SourcePerson(person, Parse(source, content, problems), location));
                continue;
            }
            string why = fetched[i].Message ?? $"{source}: {fetched[i].ErrorCode}";
            if (!keepLast)
            {
                problems.Add(SourceProblem.Error(location, SourceReason.KeysUrlUnavailable, $"{person}: keys source failed ({fetched[i].ErrorCode}): {why}",
                    "fix the account or the URL in sources.yaml, or build with --keep-last-on-source-error to reuse the previous build's keys"));
                // Still a person (with no keys), so the rules naming them do not add a misleading "unknown person".
                people.Add(new SourcePerson(person, [], location));
            }
            else if (cache?.Previous(source) is { } kept)
            {
                var last = Parse(source, kept.Body, problems);
                problems.Add(SourceProblem.Warning(location, SourceReason.KeysUrlUnavailable,
                    $"{person}: keys source failed ({fetched[i].ErrorCode}): {why}; reusing the {last.Count} key(s) {person} had in the previous build ({cache.Path})",
                    "a deleted account must be removed from sources.yaml; an outage needs nothing"));
                people.Add(new SourcePerson(person, last, location));
            }
            else
            {
                problems.Add(SourceProblem.Error(location, SourceReason.KeysUrlUnavailable,
                    $"{person}: keys source failed ({fetched[i].ErrorCode}): {why}; the previous build has no keys for {person} to reuse",
                    "fix the account or the URL in sources.yaml"));
                people.Add(new SourcePerson(person, [], location));
            }
        }
        return people;
    }

    private static List<SourceKey> Parse(string source, byte[] body, List<SourceProblem> problems) =>
        KeysFileParser.Parse(source, new UTF8Encoding(false).GetString(body), problems).Select(k => k with { Source = source }).ToList();

    /// <summary>A conditional GET when the cache has the URL; a 304 comes back as the cached body, as if downloaded.</summary>
    private static async Task<RegistryFetch> FetchOneAsync(HttpClient client, string url, KeysUrlCache? cache, CancellationToken cancellationToken)
    {
        var previous = cache?.Previous(url);
        var fetch = await new HttpRegistrySource(client, new Uri(url)).FetchAsync(previous?.ETag, cancellationToken).ConfigureAwait(false);
        if (fetch.Status == RegistryFetchStatus.NotModified && previous is not null)
        {
            fetch = new RegistryFetch(RegistryFetchStatus.Ok, previous.Body, previous.ETag);
        }
        if (fetch is { Status: RegistryFetchStatus.Ok, Content: { } body })
        {
            cache?.Remember(url, fetch.ETag, body);
        }
        else if (previous is not null)
        {
            // A failed source keeps what it last answered: a build that goes on without it
            // (--keep-last-on-source-error) must not cost it a full download once it is back.
            cache?.Remember(url, previous.ETag, previous.Body);
        }
        return fetch;
    }
}
