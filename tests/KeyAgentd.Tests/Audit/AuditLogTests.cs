using System.Runtime.Versioning;
using System.Text.Json;
using KeyAgentd.Audit;
using KeyAgentd.Tests.Support;

namespace KeyAgentd.Tests.Audit;

public sealed class AuditLogTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 10, 0, 0, TimeSpan.FromHours(2));

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string LogPath => _temp.File("log/audit.jsonl");

    private string HeadPath => _temp.File("state/audit.head");

    private static AuditRecord Record(string account, AuditAction action = AuditAction.KeyAdded) => new()
    {
        Time = Now,
        Account = account,
        Action = action.ToCode(),
        Fingerprint = "SHA256:abc",
        Type = "ssh-ed25519",
        Bits = 256,
        Serial = 42,
    };

    [Fact]
    public void Append_writes_one_snake_case_line_per_record_with_nulls_omitted()
    {
        new AuditLog(LogPath, HeadPath).Append([Record("alice"), Record("bob", AuditAction.KeyRemoved) with { Line = "ssh-rsa AAAA x", Reason = "unknown-key" }]);

        string[] lines = File.ReadAllLines(LogPath);
        Assert.Equal(2, lines.Length);
        Assert.Equal(
            "{\"time\":\"2026-11-21T08:00:00.000Z\",\"account\":\"alice\",\"action\":\"key-added\",\"fingerprint\":\"SHA256:abc\",\"type\":\"ssh-ed25519\",\"bits\":256,\"serial\":42,\"prev\":\"" + new string('0', 64) + "\"}",
            lines[0]);
        using var second = JsonDocument.Parse(lines[1]);
        Assert.Equal("key-removed", second.RootElement.GetProperty("action").GetString());
        Assert.Equal("ssh-rsa AAAA x", second.RootElement.GetProperty("line").GetString());
        Assert.Equal("unknown-key", second.RootElement.GetProperty("reason").GetString());
        Assert.False(second.RootElement.TryGetProperty("owner", out _));
    }

    [Fact]
    public void Each_record_links_to_the_hash_of_the_previous_line_and_the_head_holds_the_last()
    {
        new AuditLog(LogPath, HeadPath).Append([Record("a"), Record("b"), Record("c")]);

        string[] lines = File.ReadAllLines(LogPath);
        for (int i = 1; i < lines.Length; i++)
        {
            Assert.Equal(Sha256(lines[i - 1]), Prev(lines[i]));
        }
        Assert.Equal(Sha256(lines[^1]) + "\n", File.ReadAllText(HeadPath));
    }

    [Fact]
    public async Task A_FIFO_in_place_of_the_head_file_neither_hangs_an_append_nor_verify()
    {
        var log = new AuditLog(LogPath, HeadPath);
        log.Append([Record("a")]);
        Fifo.Make(HeadPath);

        await Fifo.WithoutHangingOn(HeadPath, () =>
        {
            log.Append([Record("b")]);
            return Task.FromResult(true);
        });
        var verification = AuditVerifier.Verify(LogPath, HeadPath);

        Assert.True(verification.Ok, verification.Message);
        Assert.Equal(2, File.ReadAllLines(LogPath).Length);
    }

    [Fact]
    public void Verify_accepts_what_was_appended()
    {
        var log = new AuditLog(LogPath, HeadPath);
        log.Append([Record("a"), Record("b")]);
        log.Append([Record("c")]);

        var result = AuditVerifier.Verify(LogPath, HeadPath);

        Assert.True(result.Ok, result.Message);
        Assert.Equal(3, result.Records);
        Assert.Null(result.FirstBadLine);
    }

    [Fact]
    public void Chain_continues_across_instances_as_across_process_restarts()
    {
        new AuditLog(LogPath, HeadPath).Append([Record("a"), Record("b")]);
        new AuditLog(LogPath, HeadPath).Append([Record("c")]);
        new AuditLog(LogPath, HeadPath).Append([Record("d")]);

        string[] lines = File.ReadAllLines(LogPath);
        Assert.Equal(4, lines.Length);
        Assert.Equal(Sha256(lines[1]), Prev(lines[2]));
        Assert.Equal(Sha256(lines[2]), Prev(lines[3]));
        var result = AuditVerifier.Verify(LogPath, HeadPath);
        Assert.True(result.Ok, result.Message);
        Assert.Equal(4, result.Records);
    }

    [Fact]
    public void Control_characters_are_escaped_so_every_record_is_exactly_one_line()
    {
        const string hostile = "evil\ncomment\r\u0000\u001b[31m\u2028\"quoted\"\u009b2J\u0085\u2029\u007f\\";
        new AuditLog(LogPath, HeadPath).Append([Record("a") with { Label = hostile, Message = hostile, Line = "ssh-ed25519 AAAA " + hostile }, Record("b")]);

        byte[] bytes = File.ReadAllBytes(LogPath);
        Assert.Equal(2, bytes.Count(b => b == (byte)'\n'));
        HostileText.AssertInert(bytes);
        string[] lines = File.ReadAllLines(LogPath);
        Assert.Equal(2, lines.Length);
        using var document = JsonDocument.Parse(lines[0]);
        Assert.Equal(hostile, document.RootElement.GetProperty("label").GetString());
        Assert.True(AuditVerifier.Verify(LogPath, HeadPath).Ok);
    }

    [Fact]
    [UnsupportedOSPlatform("windows")]
    public void Creates_the_directory_0750_and_the_log_0640()
    {
        new AuditLog(LogPath, HeadPath).Append([Record("a")]);

        Assert.Equal(
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead,
            File.GetUnixFileMode(LogPath));
        Assert.Equal(
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute,
            File.GetUnixFileMode(Path.GetDirectoryName(LogPath)!));
        Assert.True(new FileInfo(LogPath).Length > 0);
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(HeadPath)!, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public void Appends_to_existing_content_without_truncating()
    {
        var log = new AuditLog(LogPath, HeadPath);
        log.Append([Record("a")]);
        string first = File.ReadAllText(LogPath);
        log.Append([Record("b")]);

        Assert.StartsWith(first, File.ReadAllText(LogPath), StringComparison.Ordinal);
    }

    [Fact]
    public void A_torn_last_line_is_cut_off_kept_in_a_record_and_the_log_verifies_again()
    {
        var log = new AuditLog(LogPath, HeadPath);
        log.Append([Record("a")]);
        const string torn = "{\"time\":\"2026-";
        File.AppendAllText(LogPath, torn);
        Assert.False(AuditVerifier.Verify(LogPath, HeadPath).Ok);

        log.Append([Record("b")]);

        string[] lines = File.ReadAllLines(LogPath);
        Assert.Equal(3, lines.Length);
        using var resumed = JsonDocument.Parse(lines[1]);
        Assert.Equal("audit-resumed", resumed.RootElement.GetProperty("action").GetString());
        Assert.Equal("torn-line", resumed.RootElement.GetProperty("reason").GetString());
        Assert.Equal(torn, resumed.RootElement.GetProperty("line").GetString());
        Assert.Contains(Sha256(torn), resumed.RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(Sha256(lines[0]), Prev(lines[1]));
        Assert.Equal(Sha256(lines[1]), Prev(lines[2]));
        var result = AuditVerifier.Verify(LogPath, HeadPath);
        Assert.True(result.Ok, result.Message);
    }

    [Fact]
    public void A_cycle_with_nothing_to_record_still_settles_a_torn_line()
    {
        var log = new AuditLog(LogPath, HeadPath);
        log.Append([Record("a")]);
        File.AppendAllText(LogPath, "{\"time\"");

        log.Settle();

        string[] lines = File.ReadAllLines(LogPath);
        Assert.Equal(2, lines.Length);
        Assert.Contains("\"reason\":\"torn-line\"", lines[1], StringComparison.Ordinal);
        Assert.True(AuditVerifier.Verify(LogPath, HeadPath).Ok);
    }

    [Fact]
    public void A_whole_last_record_missing_only_its_newline_is_ended_not_cut()
    {
        var log = new AuditLog(LogPath, HeadPath);
        log.Append([Record("a"), Record("b")]);
        File.WriteAllBytes(LogPath, File.ReadAllBytes(LogPath)[..^1]);

        log.Append([Record("c")]);

        string[] lines = File.ReadAllLines(LogPath);
        Assert.Equal(3, lines.Length);
        Assert.Contains("\"account\":\"b\"", lines[1], StringComparison.Ordinal);
        Assert.DoesNotContain("audit-resumed", File.ReadAllText(LogPath), StringComparison.Ordinal);
        Assert.True(AuditVerifier.Verify(LogPath, HeadPath).Ok);
    }

    [Fact]
    public void Records_written_before_the_head_was_updated_are_adopted_and_recorded()
    {
        var log = new AuditLog(LogPath, HeadPath);
        log.Append([Record("a")]);
        string headAfterA = File.ReadAllText(HeadPath);
        log.Append([Record("b"), Record("c")]);
        // A process killed between its fsync of the log and its write of the head.
        File.WriteAllText(HeadPath, headAfterA);
        Assert.False(AuditVerifier.Verify(LogPath, HeadPath).Ok);

        log.Settle();

        string[] lines = File.ReadAllLines(LogPath);
        Assert.Equal(4, lines.Length);
        using var resumed = JsonDocument.Parse(lines[3]);
        Assert.Equal("head-behind", resumed.RootElement.GetProperty("reason").GetString());
        Assert.Contains("2 record(s)", resumed.RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(Sha256(lines[2]), Prev(lines[3]));
        var result = AuditVerifier.Verify(LogPath, HeadPath);
        Assert.True(result.Ok, result.Message);
    }

    [Fact]
    public void An_empty_batch_leaves_a_clean_log_and_its_head_untouched()
    {
        var log = new AuditLog(LogPath, HeadPath);
        log.Append([Record("a")]);
        byte[] before = File.ReadAllBytes(LogPath);
        var headWritten = File.GetLastWriteTimeUtc(HeadPath);

        log.Append([]);

        Assert.Equal(before, File.ReadAllBytes(LogPath));
        Assert.Equal(headWritten, File.GetLastWriteTimeUtc(HeadPath));
    }

    [Fact]
    public void Records_larger_than_one_write_batch_are_written_whole_and_chained()
    {
        var log = new AuditLog(LogPath, HeadPath);
        string big = new('k', 200 * 1024);
        log.Append([.. Enumerable.Range(0, 500).Select(i => Record($"user{i}")), Record("big") with { Line = big }, Record("after")]);

        string[] lines = File.ReadAllLines(LogPath);
        Assert.Equal(502, lines.Length);
        Assert.Contains(big, lines[500], StringComparison.Ordinal);
        var result = AuditVerifier.Verify(LogPath, HeadPath);
        Assert.True(result.Ok, result.Message);
        Assert.Equal(502, result.Records);
    }

    private string IntentPath => _temp.File("state/audit.intent");

    [Fact]
    public void An_intent_stated_before_the_changes_is_removed_by_the_append_of_their_outcome()
    {
        var log = new AuditLog(LogPath, HeadPath);
        log.Intend([Record("alice"), Record("bob")]);
        Assert.Equal(2, File.ReadAllLines(IntentPath).Length);

        log.Append([Record("alice")]);

        Assert.False(File.Exists(IntentPath));
        Assert.Single(File.ReadAllLines(LogPath));
    }

    [Fact]
    public void The_intent_of_a_stopped_cycle_is_appended_unconfirmed_by_the_next_one()
    {
        new AuditLog(LogPath, HeadPath).Append([Record("earlier")]);
        new AuditLog(LogPath, HeadPath).Intend([Record("alice"), Record("bob", AuditAction.KeyRemoved) with { Message = "revoked upstream" }]);

        new AuditLog(LogPath, HeadPath).Settle();

        string[] lines = File.ReadAllLines(LogPath);
        Assert.Equal(4, lines.Length);
        using var resumed = JsonDocument.Parse(lines[1]);
        Assert.Equal("audit-resumed", resumed.RootElement.GetProperty("action").GetString());
        Assert.Equal("unconfirmed-changes", resumed.RootElement.GetProperty("reason").GetString());
        Assert.Contains("2 change(s)", resumed.RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
        using var alice = JsonDocument.Parse(lines[2]);
        Assert.Equal("key-added", alice.RootElement.GetProperty("action").GetString());
        Assert.StartsWith("unconfirmed:", alice.RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
        using var bob = JsonDocument.Parse(lines[3]);
        Assert.EndsWith("; revoked upstream", bob.RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.False(File.Exists(IntentPath));
        var result = AuditVerifier.Verify(LogPath, HeadPath);
        Assert.True(result.Ok, result.Message);
    }

    [Fact]
    public void An_intent_left_before_the_log_ever_existed_creates_it()
    {
        new AuditLog(LogPath, HeadPath).Intend([Record("alice")]);

        new AuditLog(LogPath, HeadPath).Settle();

        Assert.Equal(2, File.ReadAllLines(LogPath).Length);
        Assert.True(AuditVerifier.Verify(LogPath, HeadPath).Ok);
    }

    [Fact]
    public void A_torn_last_intent_line_was_never_begun_and_a_damaged_one_is_counted()
    {
        var log = new AuditLog(LogPath, HeadPath);
        log.Intend([Record("alice")]);
        File.AppendAllText(IntentPath, "not a record\n{\"time\":\"20");

        log.Settle();

        string[] lines = File.ReadAllLines(LogPath);
        Assert.Equal(2, lines.Length);
        Assert.Contains("1 change(s)", lines[0], StringComparison.Ordinal);
        Assert.Contains("1 damaged line(s)", lines[0], StringComparison.Ordinal);
        Assert.Contains("\"account\":\"alice\"", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public void An_earlier_intent_not_yet_settled_is_neither_overwritten_nor_removed_by_another_cycle()
    {
        new AuditLog(LogPath, HeadPath).Intend([Record("stopped")]);
        var next = new AuditLog(LogPath, HeadPath);

        Assert.False(next.Intend([Record("next")]));
        next.Append([Record("next")]);
        Assert.Contains("\"account\":\"stopped\"", File.ReadAllText(IntentPath), StringComparison.Ordinal);

        next.Settle();
        Assert.False(File.Exists(IntentPath));
        Assert.Contains("\"account\":\"stopped\"", File.ReadAllLines(LogPath)[^1], StringComparison.Ordinal);
    }

    [Fact]
    public void Settling_with_nothing_left_behind_writes_nothing()
    {
        var log = new AuditLog(LogPath, HeadPath);
        log.Settle();
        Assert.False(File.Exists(LogPath));

        log.Append([Record("a")]);
        byte[] before = File.ReadAllBytes(LogPath);
        log.Settle();
        Assert.Equal(before, File.ReadAllBytes(LogPath));
    }

    [Fact]
    public void No_changes_state_no_intent_and_an_empty_outcome_still_removes_one()
    {
        var log = new AuditLog(LogPath, HeadPath);
        log.Intend([]);
        Assert.False(File.Exists(IntentPath));

        // Every write of the cycle failed with a refusal already on record: nothing to append, the intent is done.
        log.Intend([Record("alice")]);
        log.Append([]);

        Assert.False(File.Exists(IntentPath));
        Assert.False(File.Exists(LogPath));
    }

    [Fact]
    public void Concurrent_appends_from_many_threads_keep_one_chain()
    {
        var log = new AuditLog(LogPath, HeadPath);
        Parallel.For(0, 40, i => log.Append([Record($"user{i}"), Record($"user{i}", AuditAction.KeyRemoved)]));

        var result = AuditVerifier.Verify(LogPath, HeadPath);
        Assert.True(result.Ok, result.Message);
        Assert.Equal(80, result.Records);
    }

    [Fact]
    public void After_rotation_the_new_file_continues_the_chain_from_the_head()
    {
        var log = new AuditLog(LogPath, HeadPath);
        log.Append([Record("a"), Record("b")]);
        string lastOfOld = File.ReadAllLines(LogPath)[^1];
        File.Move(LogPath, LogPath + ".1");

        log.Append([Record("c")]);

        Assert.Equal(Sha256(lastOfOld), Prev(File.ReadAllLines(LogPath)[0]));
        var result = AuditVerifier.Verify(LogPath, HeadPath);
        Assert.True(result.Ok, result.Message);
        Assert.Contains("continues a rotated file", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Appending_after_the_end_was_cut_off_keeps_the_break_visible()
    {
        var log = new AuditLog(LogPath, HeadPath);
        log.Append([Record("a"), Record("b"), Record("c")]);
        AuditTestFiles.RewriteLines(LogPath, lines => lines.Take(2));

        log.Append([Record("d")]);

        var result = AuditVerifier.Verify(LogPath, HeadPath);
        Assert.False(result.Ok);
        Assert.Equal(2, result.FirstBadLine);
    }

    [Fact]
    public void Empty_batch_writes_nothing()
    {
        new AuditLog(LogPath, HeadPath).Append([]);

        Assert.False(File.Exists(LogPath));
    }

    [Fact]
    public void Refuses_a_symlink_as_the_log()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(LogPath)!);
        File.WriteAllText(_temp.File("target"), "");
        File.CreateSymbolicLink(LogPath, _temp.File("target"));

        var error = Assert.Throws<IOException>(() => new AuditLog(LogPath, HeadPath).Append([Record("a")]));
        Assert.Contains(LogPath, error.Message, StringComparison.Ordinal);
        Assert.Equal("", File.ReadAllText(_temp.File("target")));
    }

    [Fact]
    public void A_key_blob_and_non_ascii_text_are_written_as_they_are_so_grep_finds_them()
    {
        string key = SshKeygen.Generate("rsa", 3072, comment: "zoë@laptop");
        // '+', '/' and '=' are what the default encoder escaped; make sure the blob searched for has them.
        string blob = key.Split(' ')[1] + "+/==";
        new AuditLog(LogPath, HeadPath).Append([Record("alice", AuditAction.KeyRemoved) with { Line = "ssh-rsa " + blob + " zoë@laptop <x> & 'y'" }]);

        byte[] bytes = File.ReadAllBytes(LogPath);
        Assert.True(bytes.AsSpan().IndexOf(System.Text.Encoding.ASCII.GetBytes(blob)) >= 0, "blob not found by a byte search");
        Assert.True(bytes.AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes("zoë@laptop <x> & 'y'")) >= 0);
        Assert.True(AuditVerifier.Verify(LogPath, HeadPath).Ok);
    }

    [Fact]
    public void A_log_written_with_the_old_escaping_still_verifies_and_the_chain_goes_on()
    {
        // The encoding used before: every '+' and non-ASCII character as \uXXXX.
        var old = new System.Text.StringBuilder();
        string prev = new('0', 64);
        foreach (var record in new[] { Record("a") with { Line = "ssh-rsa AAAA+/x= zoë" }, Record("b") })
        {
            string line = System.Text.Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(record with { Prev = prev }, AuditJsonContext.Default.AuditRecord));
            old.Append(line).Append('\n');
            prev = Sha256(line);
        }
        Assert.Contains("AAAA\\u002B/x= zo\\u00EB", old.ToString(), StringComparison.Ordinal);
        Directory.CreateDirectory(Path.GetDirectoryName(LogPath)!);
        Directory.CreateDirectory(Path.GetDirectoryName(HeadPath)!);
        File.WriteAllText(LogPath, old.ToString());
        File.WriteAllText(HeadPath, prev + "\n");
        Assert.True(AuditVerifier.Verify(LogPath, HeadPath).Ok);

        new AuditLog(LogPath, HeadPath).Append([Record("c") with { Line = "ssh-rsa AAAA+/x= zoë" }]);

        string[] lines = File.ReadAllLines(LogPath);
        Assert.Equal(3, lines.Length);
        Assert.Contains("AAAA+/x= zoë", lines[2], StringComparison.Ordinal);
        Assert.Equal(Sha256(lines[1]), Prev(lines[2]));
        var verification = AuditVerifier.Verify(LogPath, HeadPath);
        Assert.True(verification.Ok, verification.Message);
        Assert.Equal(3, verification.Records);
    }

    private static string Sha256(string line) => AuditTestFiles.Sha256(line);

    private static string Prev(string line)
    {
        using var document = JsonDocument.Parse(line);
        return document.RootElement.GetProperty("prev").GetString()!;
    }
}
