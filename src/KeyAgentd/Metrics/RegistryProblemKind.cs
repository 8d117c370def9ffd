namespace KeyAgentd.Metrics;

/// <summary>
/// Why a cycle could not use the registry, besides a signature verdict (<see cref="Trust.TrustReason"/>): the
/// <c>kind</c> of <c>keyagentd_registry_errors_total</c> and <c>keyagentd_registry_problem</c>, status.json's
/// <c>registry_problem</c>. Spelled by <see cref="RegistryProblemKinds"/>.
/// </summary>
public enum RegistryProblemKind
{
    // Fetching the document or its signature.
    Unreachable,
    Timeout,
    Http5xx,
    Http4xx,

    /// <summary>The HTTP exchange failed in a way that is neither a status code, a timeout nor TLS (a broken response).</summary>
    HttpError,
    RateLimited,
    TooLarge,
    CircuitOpen,
    Tls,

    // Reading the document.
    InvalidJson,
    WrongSchema,
    InvalidField,
    MissingField,
    Rollback,
    Expired,
    Equivocation,
    AudienceMismatch,
    ValidityTooLong,
    IssuedInFuture,

    // The host's own side.
    TrustRootsUnusable,
    LastKnownGoodUnverified,
    TrustStateUnusable,

    /// <summary>No snapshot was ever accepted (only <c>keyagentd_registry_problem</c>: it is no fetch error).</summary>
    NoSnapshot,
}
