using System.Text;
using KeyAgentd.Audit;

namespace KeyAgentd.Tests.Audit;

/// <summary>
/// How an append makes good what a stopped one left, decided from facts alone (no file): a torn line (none,
/// a whole record without its newline, garbage), the head (missing, at the last line, behind it, naming no
/// line, beyond the search window) and the intent (absent, unconfirmed, confirmed).
/// </summary>
public sealed class AuditRecoveryTests
{
    private static readonly string A = Hash('a');
    private static readonly string B = Hash('b');
    private static readonly string C = Hash('c');
    private static readonly string Torn = Hash('t');

    private static string Hash(char c) => new(c, 64);

    /// <summary>A log of 300 bytes ending in whole lines whose last hash is <see cref="C"/>.</summary>
    private static AuditLogEnd Whole(HeadLine? head = null) => new(300, null, C, 299, head);

    private static TornLine WholeRecordTorn() =>
        new(300, 60, Torn, Encoding.UTF8.GetBytes($"{{\"time\":\"2026-11-21T08:00:00Z\",\"action\":\"key-added\",\"prev\":\"{C}\"}}"));

    private static TornLine GarbageTorn() => new(300, 5, Torn, "{\"tim"u8.ToArray());

    [Fact]
    public void A_whole_log_whose_head_is_its_last_line_needs_nothing()
    {
        var plan = AuditRecovery.Decide(Whole(new HeadLine(0, 299)), C, IntentState.Absent);
        Assert.Empty(plan.Steps);
        Assert.Equal(C, plan.Prev);
    }

    [Fact]
    public void Without_a_head_the_chain_continues_from_the_last_line()
    {
        var plan = AuditRecovery.Decide(Whole(), null, IntentState.Absent);
        Assert.Empty(plan.Steps);
        Assert.Equal(C, plan.Prev);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not a hash")]
    public void A_head_that_is_no_hash_counts_as_missing(string head)
    {
        var plan = AuditRecovery.Decide(Whole(), head, IntentState.Absent);
        Assert.Empty(plan.Steps);
        Assert.Equal(C, plan.Prev);
    }

    [Fact]
    public void An_empty_log_continues_from_the_head_after_rotation()
    {
        var plan = AuditRecovery.Decide(new AuditLogEnd(0, null, null, -1, null), A, IntentState.Absent);
        Assert.Empty(plan.Steps);
        Assert.Equal(A, plan.Prev);
    }

    [Fact]
    public void An_empty_log_without_a_head_starts_the_chain()
    {
        var plan = AuditRecovery.Decide(new AuditLogEnd(0, null, null, -1, null), null, IntentState.Absent);
        Assert.Equal(AuditChain.Genesis, plan.Prev);
    }

    [Fact]
    public void Records_past_the_head_are_adopted_and_counted()
    {
        var plan = AuditRecovery.Decide(Whole(new HeadLine(2, 100)), A, IntentState.Absent);
        Assert.Equal([RecoveryStep.AdoptRecordsPastHead], plan.Steps);
        Assert.Equal(2, plan.RecordsPastHead);
        Assert.Equal(C, plan.Prev);
    }

    [Fact]
    public void A_head_that_names_no_line_keeps_the_break_visible()
    {
        var plan = AuditRecovery.Decide(Whole(), A, IntentState.Absent);
        Assert.Equal([RecoveryStep.ContinueFromHead], plan.Steps);
        Assert.Equal(A, plan.Prev);
    }

    [Fact]
    public void A_head_line_beyond_the_search_window_counts_as_not_found()
    {
        long length = 3 * AuditRecovery.HeadSearchBytes;
        var end = new AuditLogEnd(length, null, C, length - 1, new HeadLine(5000, length - 1 - AuditRecovery.HeadSearchBytes));
        var plan = AuditRecovery.Decide(end, A, IntentState.Absent);
        Assert.Equal([RecoveryStep.ContinueFromHead], plan.Steps);
        Assert.Equal(A, plan.Prev);
    }

    [Fact]
    public void A_torn_whole_record_is_ended_and_becomes_the_last_line()
    {
        var plan = AuditRecovery.Decide(new AuditLogEnd(360, WholeRecordTorn(), C, 299, new HeadLine(0, 299)), C, IntentState.Absent);
        Assert.Equal([RecoveryStep.EndTornLine, RecoveryStep.AdoptRecordsPastHead], plan.Steps);
        Assert.Equal(1, plan.RecordsPastHead);
        Assert.Equal(Torn, plan.Prev);
    }

    [Fact]
    public void A_torn_whole_record_the_head_already_names_is_only_ended()
    {
        var plan = AuditRecovery.Decide(new AuditLogEnd(360, WholeRecordTorn(), C, 299, null), Torn, IntentState.Absent);
        Assert.Equal([RecoveryStep.EndTornLine], plan.Steps);
        Assert.Equal(Torn, plan.Prev);
    }

    [Fact]
    public void A_torn_whole_record_searches_the_head_from_its_own_end()
    {
        // The head's line ends inside the window measured back from the last whole line, but not inside the
        // one measured from the end of the torn record once it is ended (it is then the last line).
        long length = 3 * AuditRecovery.HeadSearchBytes;
        var end = new AuditLogEnd(length, WholeRecordTorn() with { Start = length - 60, Length = 60 }, C, length - 61,
            new HeadLine(7, length - AuditRecovery.HeadSearchBytes));
        var ended = AuditRecovery.Decide(end, A, IntentState.Absent);
        Assert.Equal([RecoveryStep.EndTornLine, RecoveryStep.ContinueFromHead], ended.Steps);
        Assert.Equal(A, ended.Prev);

        var cut = AuditRecovery.Decide(end with { Torn = GarbageTorn() with { Start = length - 60, Length = 60 } }, A, IntentState.Absent);
        Assert.Equal([RecoveryStep.CutTornLine, RecoveryStep.AdoptRecordsPastHead], cut.Steps);
        Assert.Equal(7, cut.RecordsPastHead);

        var nearer = AuditRecovery.Decide(end with { Head = new HeadLine(7, length - AuditRecovery.HeadSearchBytes + 1) }, A, IntentState.Absent);
        Assert.Equal([RecoveryStep.EndTornLine, RecoveryStep.AdoptRecordsPastHead], nearer.Steps);
        Assert.Equal(8, nearer.RecordsPastHead);
    }

    [Fact]
    public void A_torn_line_that_is_no_record_is_cut_and_the_last_whole_line_continues()
    {
        var plan = AuditRecovery.Decide(new AuditLogEnd(305, GarbageTorn(), C, 299, new HeadLine(0, 299)), C, IntentState.Absent);
        Assert.Equal([RecoveryStep.CutTornLine], plan.Steps);
        Assert.Equal(C, plan.Prev);
    }

    [Fact]
    public void A_torn_line_too_large_to_keep_is_cut()
    {
        var plan = AuditRecovery.Decide(new AuditLogEnd(100_300, new TornLine(300, 100_000, Torn, null), C, 299, null), null, IntentState.Absent);
        Assert.Equal([RecoveryStep.CutTornLine], plan.Steps);
        Assert.Equal(C, plan.Prev);
    }

    [Fact]
    public void A_log_that_is_only_a_torn_line_is_cut_to_empty_and_continues_from_the_head()
    {
        var plan = AuditRecovery.Decide(new AuditLogEnd(5, GarbageTorn() with { Start = 0 }, null, -1, null), B, IntentState.Absent);
        Assert.Equal([RecoveryStep.CutTornLine], plan.Steps);
        Assert.Equal(B, plan.Prev);
    }

    [Fact]
    public void A_cut_torn_line_and_records_past_the_head_are_both_made_good()
    {
        var plan = AuditRecovery.Decide(new AuditLogEnd(305, GarbageTorn(), C, 299, new HeadLine(3, 120)), A, IntentState.Absent);
        Assert.Equal([RecoveryStep.CutTornLine, RecoveryStep.AdoptRecordsPastHead], plan.Steps);
        Assert.Equal(3, plan.RecordsPastHead);
        Assert.Equal(C, plan.Prev);
    }

    [Fact]
    public void An_unconfirmed_intent_is_replayed_after_the_log_is_made_good_then_removed()
    {
        var plan = AuditRecovery.Decide(new AuditLogEnd(305, GarbageTorn(), C, 299, new HeadLine(1, 200)), A, IntentState.Unconfirmed);
        Assert.Equal([RecoveryStep.CutTornLine, RecoveryStep.AdoptRecordsPastHead, RecoveryStep.ReplayIntent, RecoveryStep.RemoveIntent], plan.Steps);
    }

    [Fact]
    public void A_confirmed_intent_is_removed_not_replayed()
    {
        var plan = AuditRecovery.Decide(Whole(new HeadLine(0, 299)), C, IntentState.Confirmed);
        Assert.Equal([RecoveryStep.RemoveIntent], plan.Steps);
    }

    [Fact]
    public void An_unconfirmed_intent_on_an_empty_log_is_replayed_from_the_head()
    {
        var plan = AuditRecovery.Decide(new AuditLogEnd(0, null, null, -1, null), A, IntentState.Unconfirmed);
        Assert.Equal([RecoveryStep.ReplayIntent, RecoveryStep.RemoveIntent], plan.Steps);
        Assert.Equal(A, plan.Prev);
    }

    [Fact]
    public void Every_intent_state_leaves_the_chain_decision_alone()
    {
        foreach (var intent in Enum.GetValues<IntentState>())
        {
            var plan = AuditRecovery.Decide(Whole(new HeadLine(2, 100)), A, intent);
            Assert.Equal(C, plan.Prev);
            Assert.Equal(RecoveryStep.AdoptRecordsPastHead, plan.Steps[0]);
        }
    }
}
