using KeyAgentd.Core.Codes;

namespace KeyAgentd.Fetch;

/// <summary>
/// Why a registry document could not be fetched at all (the transport's half of the registry problem
/// kinds): the host's `keyagentd_registry_errors_total{kind}` and `.keys` URL fetches on the registry
/// side both report these.
/// </summary>
public enum FetchProblem
{
    Unreachable,
    Timeout,
    Http5xx,
    Http4xx,
    HttpError,
    RateLimited,
    TooLarge,
    CircuitOpen,
    Tls,
}

/// <summary>The stable spellings of <see cref="FetchProblem"/>; never rename one.</summary>
public static class FetchProblems
{
    public static readonly CodeCatalogue<FetchProblem> Catalogue = new(
        (FetchProblem.Unreachable, "unreachable"),
        (FetchProblem.Timeout, "timeout"),
        (FetchProblem.Http5xx, "http-5xx"),
        (FetchProblem.Http4xx, "http-4xx"),
        (FetchProblem.HttpError, "http-error"),
        (FetchProblem.RateLimited, "rate-limited"),
        (FetchProblem.TooLarge, "too-large"),
        (FetchProblem.CircuitOpen, "circuit-open"),
        (FetchProblem.Tls, "tls"));

    public static string ToCode(this FetchProblem problem) => Catalogue.ToCode(problem);
}
