using System.Text;
using KeyAgentd.Audit;

namespace KeyAgentd.Tests.Audit;

public sealed class AuditVerifierTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public AuditVerifierTests()
    {
        var log = new AuditLog(LogPath, HeadPath);
        for (int i = 1; i <= 5; i++)
        {
            log.Append([new AuditRecord { Time = DateTimeOffset.UnixEpoch.AddDays(i), Account = $"user{i}", Action = AuditAction.KeyAdded.ToCode(), Serial = i }]);
        }
    }

    public void Dispose() => _temp.Dispose();

    private string LogPath => _temp.File("audit.jsonl");

    private string HeadPath => _temp.File("audit.head");

    private AuditVerification Verify() => AuditVerifier.Verify(LogPath, HeadPath);

    [Fact]
    public void Intact_log_is_ok()
    {
        var result = Verify();

        Assert.True(result.Ok, result.Message);
        Assert.Equal(5, result.Records);
        Assert.Null(result.FirstBadLine);
    }

    [Fact]
    public void Editing_one_byte_of_a_middle_line_reports_that_line()
    {
        AuditTestFiles.RewriteLines(LogPath, lines =>
        {
            lines[2] = lines[2].Replace("user3", "user9", StringComparison.Ordinal);
            return lines;
        });

        var result = Verify();

        Assert.False(result.Ok);
        Assert.Equal(3, result.FirstBadLine);
        Assert.Equal(5, result.Records);
        Assert.Contains("line 3 was altered", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Editing_a_byte_so_that_the_line_is_no_longer_json_reports_that_line()
    {
        var bytes = File.ReadAllBytes(LogPath);
        int secondLine = Array.IndexOf(bytes, (byte)'\n') + 1;
        bytes[secondLine] = (byte)'[';
        File.WriteAllBytes(LogPath, bytes);

        var result = Verify();

        Assert.False(result.Ok);
        Assert.Equal(2, result.FirstBadLine);
        Assert.Contains("not a valid audit record", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Editing_the_prev_field_breaks_the_link_before_that_line()
    {
        AuditTestFiles.RewriteLines(LogPath, lines =>
        {
            int at = lines[3].IndexOf("\"prev\":\"", StringComparison.Ordinal) + 8;
            lines[3] = lines[3][..at] + (lines[3][at] == 'a' ? 'b' : 'a') + lines[3][(at + 1)..];
            return lines;
        });

        var result = Verify();

        Assert.False(result.Ok);
        Assert.Equal(3, result.FirstBadLine);
    }

    [Fact]
    public void Deleting_a_middle_line_is_detected_where_the_record_is_missing()
    {
        AuditTestFiles.RewriteLines(LogPath, lines => lines.Where((_, i) => i != 2));

        var result = Verify();

        Assert.False(result.Ok);
        Assert.Equal(2, result.FirstBadLine);
        Assert.Contains("records after it were deleted", result.Message, StringComparison.Ordinal);
        Assert.Equal(4, result.Records);
    }

    [Fact]
    public void Swapping_two_lines_reports_the_misplaced_line()
    {
        AuditTestFiles.RewriteLines(LogPath, lines => [lines[0], lines[2], lines[1], lines[3], lines[4]]);

        var result = Verify();

        Assert.False(result.Ok);
        Assert.Equal(2, result.FirstBadLine);
        Assert.Contains("reordered", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Inserting_a_copied_line_is_detected()
    {
        AuditTestFiles.RewriteLines(LogPath, lines => [lines[0], lines[1], lines[2], lines[1], lines[3], lines[4]]);

        var result = Verify();

        Assert.False(result.Ok);
        Assert.Equal(4, result.FirstBadLine);
    }

    [Fact]
    public void Truncating_the_last_line_is_a_head_mismatch()
    {
        AuditTestFiles.RewriteLines(LogPath, lines => lines.Take(4));

        var result = Verify();

        Assert.False(result.Ok);
        Assert.Equal(4, result.FirstBadLine);
        Assert.Contains("head does not match", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Truncation_goes_unnoticed_without_a_head_which_is_why_the_head_exists()
    {
        AuditTestFiles.RewriteLines(LogPath, lines => lines.Take(4));

        Assert.True(AuditVerifier.Verify(LogPath, headPath: null).Ok);
    }

    [Fact]
    public void A_deleted_head_is_reported()
    {
        File.Delete(HeadPath);

        var result = Verify();

        Assert.False(result.Ok);
        Assert.Contains("head file", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_deleted_log_with_a_head_is_reported()
    {
        File.Delete(LogPath);

        var result = Verify();

        Assert.False(result.Ok);
        Assert.Contains("deleted", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_head_left_behind_by_an_interrupted_append_points_at_the_unconfirmed_lines()
    {
        string head = File.ReadAllText(HeadPath);
        new AuditLog(LogPath, HeadPath).Append([new AuditRecord { Time = DateTimeOffset.UnixEpoch, Action = AuditAction.SnapshotAccepted.ToCode() }]);
        File.WriteAllText(HeadPath, head);

        var result = Verify();
        Assert.False(result.Ok);
        Assert.Equal(6, result.FirstBadLine);

        new AuditLog(LogPath, HeadPath).Append([new AuditRecord { Time = DateTimeOffset.UnixEpoch, Action = AuditAction.SnapshotAccepted.ToCode() }]);
        Assert.True(Verify().Ok, Verify().Message);
    }

    [Fact]
    public void A_line_without_its_newline_is_reported()
    {
        File.WriteAllBytes(LogPath, File.ReadAllBytes(LogPath)[..^1]);

        var result = Verify();

        Assert.False(result.Ok);
        Assert.Equal(5, result.FirstBadLine);
        Assert.Contains("incomplete", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_first_record_that_does_not_start_a_chain_continues_a_rotated_file()
    {
        AuditTestFiles.RewriteLines(LogPath, lines => lines.Skip(2));

        var result = Verify();

        Assert.True(result.Ok, result.Message);
        Assert.Equal(3, result.Records);
        Assert.Contains("continues a rotated file", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_log_without_head_is_an_empty_ok_log()
    {
        var result = AuditVerifier.Verify(_temp.File("none.jsonl"), _temp.File("none.head"));

        Assert.True(result.Ok);
        Assert.Equal(0, result.Records);
    }

    [Fact]
    public void Garbage_head_is_reported()
    {
        File.WriteAllText(HeadPath, "not a hash\n", Encoding.ASCII);

        Assert.False(Verify().Ok);
    }
}
