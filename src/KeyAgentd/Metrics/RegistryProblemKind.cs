namespace KeyAgentd.Metrics;

/// <summary>
/// Why a cycle could not use the registry, besides a fetch failure (<see cref="Fetch.FetchProblem"/>) and a signature verdict (<see cref="Trust.TrustReason"/>): the
/// <c>kind</c> of <c>keyagentd_registry_errors_total</c> and <c>keyagentd_registry_problem</c>, status.json's
/// <c>registry_problem</c>. Spelled by <see cref="RegistryProblemKinds"/>.
/// </summary>
public enum RegistryProblemKind
{
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

    /// <summary>The newest trust root reached has expired: no new snapshot is judged until a successor is published.</summary>
    RootExpired,

    /// <summary>No snapshot was ever accepted (only <c>keyagentd_registry_problem</c>: it is no fetch error).</summary>
    NoSnapshot,
}
