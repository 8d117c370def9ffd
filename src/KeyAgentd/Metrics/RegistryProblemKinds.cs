using KeyAgentd.Core.Codes;
using KeyAgentd.Core.Snapshot;
using KeyAgentd.Signing;
using KeyAgentd.Sync;
using KeyAgentd.Trust;

namespace KeyAgentd.Metrics;

/// <summary>
/// The stable spellings of <see cref="RegistryProblemKind"/>; never rename one. A code another part spells
/// as a constant (a refused document's, the engine's) is referenced here, not spelled again.
/// </summary>
public static class RegistryProblemKinds
{
    public static readonly CodeCatalogue<RegistryProblemKind> Catalogue = new(
        (RegistryProblemKind.Unreachable, "unreachable"),
        (RegistryProblemKind.Timeout, "timeout"),
        (RegistryProblemKind.Http5xx, "http-5xx"),
        (RegistryProblemKind.Http4xx, "http-4xx"),
        (RegistryProblemKind.HttpError, "http-error"),
        (RegistryProblemKind.RateLimited, "rate-limited"),
        (RegistryProblemKind.TooLarge, "too-large"),
        (RegistryProblemKind.CircuitOpen, "circuit-open"),
        (RegistryProblemKind.Tls, "tls"),
        (RegistryProblemKind.InvalidJson, SnapshotError.InvalidJson),
        (RegistryProblemKind.WrongSchema, SnapshotError.WrongSchema),
        (RegistryProblemKind.InvalidField, SnapshotError.InvalidField),
        (RegistryProblemKind.MissingField, SnapshotError.MissingField),
        (RegistryProblemKind.Rollback, SnapshotError.Rollback),
        (RegistryProblemKind.Expired, SnapshotError.Expired),
        (RegistryProblemKind.Equivocation, SnapshotError.Equivocation),
        (RegistryProblemKind.AudienceMismatch, SnapshotError.AudienceMismatch),
        (RegistryProblemKind.ValidityTooLong, SnapshotError.ValidityTooLong),
        (RegistryProblemKind.IssuedInFuture, SnapshotError.IssuedInFuture),
        (RegistryProblemKind.TrustRootsUnusable, SignatureSetup.TrustRootsUnusable),
        (RegistryProblemKind.LastKnownGoodUnverified, SyncEngine.LastKnownGoodUnverified),
        (RegistryProblemKind.TrustStateUnusable, SyncEngine.TrustStateUnusable),
        (RegistryProblemKind.NoSnapshot, "no-snapshot"));

    public static string ToCode(this RegistryProblemKind kind) => Catalogue.ToCode(kind);

    /// <summary>Every kind a problem can have: these, and every signature verdict but <c>accepted</c>.</summary>
    public static IReadOnlyList<string> AllCodes { get; } =
        [.. Catalogue.Codes, .. TrustReasons.Catalogue.Values.Where(r => r != TrustReason.Accepted).Select(r => r.ToCode())];
}
