using KeyAgentd.Audit;
using KeyAgentd.State;
using KeyAgentd.Sync;

namespace KeyAgentd.Tests.Sync;

/// <summary>A cycle's audit records: added one by one or as sequences produced only when they are written, always in the order added.</summary>
public class SyncCycleTests
{
    private static SyncCycle Cycle() => new(DateTimeOffset.UnixEpoch, new SyncStatus(), "host", new SyncOptions());

    [Fact]
    public void Produced_records_are_written_where_they_were_added_and_made_only_then()
    {
        var cycle = Cycle();
        int made = 0;
        IEnumerable<AuditRecord> Produce(string account, int count)
        {
            for (int i = 0; i < count; i++)
            {
                made++;
                yield return cycle.Record(AuditAction.KeyAdded, 1) with { Account = account };
            }
        }

        cycle.AddProduced(Produce("first", 2));
        cycle.Records.Add(cycle.Record(AuditAction.SnapshotAccepted, 1) with { Account = "one" });
        cycle.AddProduced(Produce("none", 0));
        cycle.Records.Add(cycle.Record(AuditAction.SnapshotAccepted, 1) with { Account = "two" });
        cycle.AddProduced(Produce("last", 1));

        Assert.Equal(0, made);
        Assert.Equal(["first", "first", "one", "two", "last"], cycle.AllRecords().Select(r => r.Account));
        Assert.Equal(3, made);
    }
}
