using KeyAgentd.Core.Codes;
using KeyAgentd.Core.Snapshot;
using KeyAgentd.Fetch;
using KeyAgentd.Verify;
using KeyAgentd.Sync;
using KeyAgentd.Trust;
using KeyAgentd.Trust.Root;

namespace KeyAgentd.Metrics;

/// <summary>
/// The stable spellings of <see cref="RegistryProblemKind"/>; never rename one. A code another part spells
/// as a constant (a refused document's, the engine's) is referenced here, not spelled again.
/// </summary>
public static class RegistryProblemKinds
{
    public static readonly CodeCatalogue<RegistryProblemKind> Catalogue = new(
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
        (RegistryProblemKind.RootExpired, RootReason.Expired.ToCode()),
        (RegistryProblemKind.NoSnapshot, "no-snapshot"));

    public static string ToCode(this RegistryProblemKind kind) => Catalogue.ToCode(kind);

    /// <summary>Every kind a problem can have: the fetch failures, these, and every signature verdict but <c>accepted</c>.</summary>
    public static IReadOnlyList<string> AllCodes { get; } =
        [.. FetchProblems.Catalogue.Codes, .. Catalogue.Codes, .. TrustReasons.Catalogue.Values.Where(r => r != TrustReason.Accepted).Select(r => r.ToCode())];
}
