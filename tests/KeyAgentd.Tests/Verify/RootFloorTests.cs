using System.Text;
using System.Text.Json;
using KeyAgentd.Audit;
using KeyAgentd.State;
using KeyAgentd.Verify;

namespace KeyAgentd.Tests.Verify;

/// <summary>
/// The trust root floor: the highest root version ever accepted, from the trust state, the audit log, status.json
/// (only when the trust state is missing) and the kept files; a host that proves less refuses every snapshot.
/// </summary>
public sealed class RootFloorTests
{
    private static string Line(string action, long? rootVersion, string? reason = null) =>
        JsonSerializer.Serialize(new AuditRecord { Time = DateTimeOffset.UnixEpoch, Action = action, RootVersion = rootVersion, Reason = reason }, AuditJsonContext.RecordLine) + "\n";

    private static AuditTrustEvidence Audit(string log) => AuditTrustEvidence.From(Encoding.UTF8.GetBytes(log));

    [Fact]
    public void The_floor_is_the_highest_recorded_version_and_nothing_recorded_is_no_floor()
    {
        Assert.Null(RootFloor.Highest());
        Assert.Null(RootFloor.Highest(null, null));
        Assert.Equal(3, RootFloor.Highest(1, null, 3, 2));
    }

    [Fact]
    public void A_root_below_the_floor_refuses_with_root_state_lost_and_names_every_way_back()
    {
        var lost = RootFloor.Check(2, 1, "/var/lib/keyagentd");
        Assert.Equal("root-state-lost", lost?.Code);
        Assert.Contains("trust init URL/root/2.json", lost!.Message, StringComparison.Ordinal);
        Assert.Contains("trust reset-root", lost.Message, StringComparison.Ordinal);
        Assert.Contains("/var/lib/keyagentd/root/", lost.Message, StringComparison.Ordinal);
        Assert.Null(RootFloor.Check(2, 2, "/s"));
        Assert.Null(RootFloor.Check(2, 5, "/s"));
        Assert.Null(RootFloor.Check(null, 1, "/s"));
    }

    [Fact]
    public void The_audit_log_keeps_the_highest_root_accepted_until_an_operator_resets_it()
    {
        string log = Line("root-accepted", 1, "root-accepted") + Line("root-accepted", 3, "root-accepted") + Line("root-refused", 9, "root-rollback")
            + Line("root-accepted", 2, "root-accepted") + Line("trust-reset", null, "reset-serial");
        Assert.Equal(3, Audit(log).RootFloor);

        Assert.Equal(1, Audit(log + Line("trust-reset", 1, "reset-root")).RootFloor);
        Assert.Null(Audit(log + Line("trust-reset", null, "reset-root")).RootFloor);
        Assert.Equal(2, Audit(log + Line("trust-reset", null, "reset-root") + Line("root-accepted", 2, "root-accepted")).RootFloor);
        Assert.Null(Audit(Line("key-added", 7)).RootFloor);
    }

    [Fact]
    public void A_signed_snapshot_record_keeps_the_root_floor_read_before_it()
    {
        string signed = JsonSerializer.Serialize(new AuditRecord
        {
            Time = DateTimeOffset.UnixEpoch, Action = "snapshot-accepted", Serial = 5, Signers = ["ci"], SnapshotSha256 = "ab",
        }, AuditJsonContext.RecordLine) + "\n";
        var evidence = Audit(Line("root-accepted", 2, "root-accepted") + signed);
        Assert.Equal(2, evidence.RootFloor);
        Assert.Equal(5, evidence.SignedFloor?.Serial);
    }

    [Fact]
    public void Status_json_counts_only_when_the_trust_state_is_missing_and_a_written_floor_counts_above_root_version()
    {
        var audit = Audit(Line("root-accepted", 1, "root-accepted"));
        Assert.Equal(4, new HostTrust(TrustStateRead.Missing, audit, false, StatusRootVersion: 4).RootFloor);

        var present = new TrustStateRead(new TrustState { RootVersion = 1 }, null);
        Assert.Equal(1, new HostTrust(present, audit, false, StatusRootVersion: 4).RootFloor);

        var lost = new TrustStateRead(new TrustState { RootVersion = 1, RootFloor = 2 }, null);
        Assert.Equal(2, new HostTrust(lost, AuditTrustEvidence.None, false).RootFloor);
        Assert.Null(new HostTrust(TrustStateRead.Missing, AuditTrustEvidence.None, false).RootFloor);
    }
}
