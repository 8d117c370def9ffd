using KeyAgentd.Core.Snapshot;

namespace KeyAgentd.Core.Tests.Snapshot;

public class SnapshotValidatorTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);

    private static RegistrySnapshot Snapshot(long serial, DateTimeOffset? expiresAt = null) =>
        new(RegistrySnapshot.SchemaV1, serial, null, expiresAt, new Dictionary<string, RegistryPerson>(), new Dictionary<string, RegistryAccount>(), []);

    [Fact]
    public void First_snapshot_is_accepted() => Assert.Null(SnapshotValidator.Check(Snapshot(0), null, Now));

    [Fact]
    public void Same_serial_again_is_accepted() => Assert.Null(SnapshotValidator.Check(Snapshot(42), 42, Now));

    [Fact]
    public void Higher_serial_is_accepted() => Assert.Null(SnapshotValidator.Check(Snapshot(43), 42, Now));

    [Fact]
    public void Lower_serial_is_a_rollback()
    {
        var error = SnapshotValidator.Check(Snapshot(41), 42, Now);
        Assert.Equal(SnapshotError.Rollback, error?.Code);
        Assert.Contains("41", error!.Message);
        Assert.Contains("42", error.Message);
    }

    [Fact]
    public void Expiry_in_the_past_is_refused() =>
        Assert.Equal(SnapshotError.Expired, SnapshotValidator.Check(Snapshot(1, Now.AddSeconds(-1)), null, Now)?.Code);

    [Fact]
    public void Expiry_exactly_now_is_refused() =>
        Assert.Equal(SnapshotError.Expired, SnapshotValidator.Check(Snapshot(1, Now), null, Now)?.Code);

    [Fact]
    public void Expiry_in_the_future_is_accepted() => Assert.Null(SnapshotValidator.Check(Snapshot(1, Now.AddSeconds(1)), null, Now));

    [Fact]
    public void Rollback_is_reported_before_expiry() =>
        Assert.Equal(SnapshotError.Rollback, SnapshotValidator.Check(Snapshot(1, Now.AddDays(-1)), 2, Now)?.Code);
}
