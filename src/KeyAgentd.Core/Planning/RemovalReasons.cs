using KeyAgentd.Core.Codes;

namespace KeyAgentd.Core.Planning;

/// <summary>The stable spellings of <see cref="RemovalReason"/>: the audit log's `reason` for key-removed records.</summary>
public static class RemovalReasons
{
    public static readonly CodeCatalogue<RemovalReason> Catalogue = new(
        (RemovalReason.NotGranted, "not-granted"),
        (RemovalReason.Revoked, "revoked"),
        (RemovalReason.Expired, "expired"),
        (RemovalReason.DuplicateKey, "duplicate-key"),
        (RemovalReason.ForeignComment, "foreign-comment"),
        (RemovalReason.InvalidLine, "invalid-line"),
        (RemovalReason.DeliveryOff, "delivery-off"),
        (RemovalReason.AccountUnmanaged, "account-unmanaged"));

    public static string ToCode(this RemovalReason reason) => Catalogue.ToCode(reason);

    /// <summary>Removing this line takes away access the guard must weigh (not a revocation, not a dead line).</summary>
    public static bool IsGuarded(this RemovalReason reason) => reason == RemovalReason.NotGranted;
}
