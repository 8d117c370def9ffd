using System.Text;
using System.Text.Json.Nodes;
using KeyAgentd.Configuration;
using KeyAgentd.Core.Planning;
using KeyAgentd.Core.Snapshot;
using KeyAgentd.Revocation;
using KeyAgentd.Testing;
using KeyAgentd.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using static KeyAgentd.Tests.Sync.RevokedKeysFileTests;
using static KeyAgentd.Tests.Sync.SignedSandbox;

namespace KeyAgentd.Tests.Revocation;

/// <summary>The publisher alone: the snapshot's revocations as the KRL at Sshd:RevokedKeysFile, `ssh-keygen -Q` as the oracle.</summary>
public sealed class RevocationPublisherTests : IDisposable
{
    private readonly TempDirectory _dir = new("keyagentd-krl-publisher-");

    public void Dispose() => _dir.Dispose();

    private KeyAgentdSettings Settings(OwnershipMode mode = OwnershipMode.Exclusive) => new()
    {
        State = { Directory = _dir.File("state") },
        Accounts = { Mode = mode },
    };

    private static RegistrySnapshot Snapshot(long serial, params string[] revoked)
    {
        string doc = Doc(serial, d => d["revoked"] = new JsonArray([.. revoked.Select(k => (JsonNode)Fingerprint(k))]));
        Assert.True(RegistrySnapshotParser.TryParse(Encoding.UTF8.GetBytes(doc), out var snapshot, out var error), error?.Message);
        return snapshot;
    }

    private static string KrlPath(KeyAgentdSettings settings) => settings.Sshd.ResolveRevokedKeysFile(settings.State);

    [Fact]
    public void Publishes_the_snapshots_revoked_keys_and_no_other()
    {
        var settings = Settings();
        new RevocationPublisher(settings, NullLogger.Instance).Publish(Snapshot(2, RevokedKey));

        Assert.True(Query(KrlPath(settings), RevokedKey));
        Assert.False(Query(KrlPath(settings), AppKey));
        Assert.Equal(0x1A4, (int)TestAccount.Lstat(KrlPath(settings)).st_mode & 0xFFF);
    }

    [Fact]
    public void The_same_revocations_leave_the_file_untouched_and_new_ones_replace_it()
    {
        var settings = Settings();
        var publisher = new RevocationPublisher(settings, NullLogger.Instance);
        publisher.Publish(Snapshot(2, RevokedKey));
        ulong inode = TestAccount.Lstat(KrlPath(settings)).st_ino;

        publisher.Publish(Snapshot(3, RevokedKey));
        Assert.Equal(inode, TestAccount.Lstat(KrlPath(settings)).st_ino);

        publisher.Publish(Snapshot(4, RevokedKey, OpsKey));
        Assert.NotEqual(inode, TestAccount.Lstat(KrlPath(settings)).st_ino);
        Assert.True(Query(KrlPath(settings), OpsKey));
    }

    [Fact]
    public void Without_a_snapshot_a_missing_krl_is_written_revoking_nothing()
    {
        var settings = Settings();
        new RevocationPublisher(settings, NullLogger.Instance).EnsureExists();

        Assert.True(File.Exists(KrlPath(settings)));
        Assert.False(Query(KrlPath(settings), RevokedKey));
    }

    [Fact]
    public void Without_a_snapshot_a_krl_already_there_is_kept()
    {
        var settings = Settings();
        var publisher = new RevocationPublisher(settings, NullLogger.Instance);
        publisher.Publish(Snapshot(2, RevokedKey));

        new RevocationPublisher(settings, NullLogger.Instance).EnsureExists();

        Assert.True(Query(KrlPath(settings), RevokedKey));
    }

    [Fact]
    public void Report_mode_writes_no_krl()
    {
        var settings = Settings(OwnershipMode.Report);
        var publisher = new RevocationPublisher(settings, NullLogger.Instance);

        publisher.Publish(Snapshot(2, RevokedKey));
        publisher.EnsureExists();

        Assert.False(Path.Exists(KrlPath(settings)));
    }
}
