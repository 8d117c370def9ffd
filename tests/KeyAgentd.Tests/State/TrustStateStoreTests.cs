using KeyAgentd.Audit;
using KeyAgentd.State;
using KeyAgentd.Tests.Support;

namespace KeyAgentd.Tests.State;

/// <summary>trust-state.json: a round trip, and every kind of damage told from "missing" (which the floor would read as 0).</summary>
[Trait("Category", "Integration")]
public sealed class TrustStateStoreTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("keyagentd-trust-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly TrustState Sample = new TrustState
    {
        VerifiedFloor = new SerialMark(42, new string('a', 64)),
        UnverifiedFloor = new SerialMark(43, null),
    }.RequiringSignatures(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public void What_is_saved_is_read_back_and_a_missing_file_is_missing()
    {
        var store = new TrustStateStore(_dir);
        Assert.True(store.Load().IsMissing);

        store.Save(Sample);
        var read = store.Load();

        Assert.Null(read.Problem);
        Assert.Equal(Sample with { Checksum = read.State!.Checksum }, read.State);
        Assert.StartsWith("sha256:", read.State.Checksum, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("floor lowered by hand")]
    [InlineData("enforcement lifted by hand")]
    [InlineData("checksum removed")]
    [InlineData("empty")]
    [InlineData("torn")]
    [InlineData("symlink to a valid copy")]
    [InlineData("group-writable")]
    public void A_damaged_file_is_damaged_never_missing(string damage)
    {
        var store = new TrustStateStore(_dir);
        store.Save(Sample);
        string text = File.ReadAllText(store.FilePath);
        string edited = damage switch
        {
            "floor lowered by hand" => text.Replace("\"serial\": 42", "\"serial\": 1", StringComparison.Ordinal),
            "enforcement lifted by hand" => text.Replace("\"signatures_required\": true", "\"signatures_required\": false", StringComparison.Ordinal),
            "checksum removed" => System.Text.RegularExpressions.Regex.Replace(text, ",\\s*\"checksum\": \"[^\"]*\"", ""),
            "empty" => "",
            "torn" => text[..(text.Length - 20)],
            _ => text,
        };
        Assert.True(damage is "empty" or "torn" or "symlink to a valid copy" or "group-writable" || edited != text, damage);
        if (damage == "symlink to a valid copy")
        {
            File.Move(store.FilePath, store.FilePath + ".real");
            File.CreateSymbolicLink(store.FilePath, store.FilePath + ".real");
        }
        else if (damage == "group-writable")
        {
            Assert.Equal(0, Mono.Unix.Native.Syscall.chmod(store.FilePath, (Mono.Unix.Native.FilePermissions)0b110_110_100));
        }

        else
        {
            File.WriteAllText(store.FilePath, edited);
        }

        var read = store.Load();

        Assert.True(read.IsDamaged, damage);
        Assert.False(read.IsMissing);
        Assert.Null(read.State);
        Assert.Contains(TrustStateStore.FileName, read.Problem, StringComparison.Ordinal);
    }

    [RootFact]
    public void A_file_another_user_owns_is_damaged()
    {
        var store = new TrustStateStore(_dir);
        store.Save(Sample);
        Assert.Equal(0, Mono.Unix.Native.Syscall.chown(store.FilePath, 65534, 65534));

        var read = store.Load();

        Assert.True(read.IsDamaged);
        Assert.Contains("owned by uid 65534", read.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void The_audit_log_keeps_the_highest_signed_serial_since_the_last_reset()
    {
        static string Line(string action, long? serial, string? reason = null, bool signed = false) =>
            System.Text.Json.JsonSerializer.Serialize(new AuditRecord
            {
                Time = DateTimeOffset.UnixEpoch, Action = action, Serial = serial, Reason = reason,
                Signers = signed ? ["release@example.com"] : null, SnapshotSha256 = serial is { } s ? s.ToString(System.Globalization.CultureInfo.InvariantCulture) : null,
            }, AuditJsonContext.RecordLine) + "\n";

        string log = Line("snapshot-accepted", 9, signed: true) + Line("key-added", 9) + Line("snapshot-accepted", 10_000)
            + "{\"torn\":" + "\n" + Line("snapshot-accepted", 7, signed: true);
        var evidence = AuditTrustEvidence.From(System.Text.Encoding.UTF8.GetBytes(log));
        Assert.Equal(9, evidence.SignedFloor?.Serial);
        Assert.True(evidence.SignedAcceptance);

        var reset = AuditTrustEvidence.From(System.Text.Encoding.UTF8.GetBytes(log + Line("trust-reset", 3, "reset-serial") + Line("trust-reset", null, "allow-unsigned")));
        Assert.Equal(3, reset.SignedFloor?.Serial);
        Assert.False(reset.SignedAcceptance);
    }
}
