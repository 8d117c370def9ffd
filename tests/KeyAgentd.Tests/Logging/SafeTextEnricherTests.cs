using System.Text;
using KeyAgentd.Logging;
using KeyAgentd.Tests.Support;
using Serilog.Events;
using Serilog.Formatting.Display;
using Serilog.Parsing;

namespace KeyAgentd.Tests.Logging;

public class SafeTextEnricherTests
{
    [Fact]
    public void A_logged_value_cannot_forge_a_line_or_reach_the_terminal_raw()
    {
        const string hostile = "home/evil\nFAKE ENTRY\u001b[2J\u009b1m\u0085\u2028end";
        var logEvent = new LogEvent(DateTimeOffset.UnixEpoch, LogEventLevel.Error, null,
            new MessageTemplateParser().Parse("account {Account} refused: {Why} ({Count})"),
            [new("Account", new ScalarValue("alice")), new("Why", new ScalarValue(hostile)), new("Count", new ScalarValue(3))]);

        new SafeTextEnricher().Enrich(logEvent, null!);
        var rendered = new StringWriter();
        new MessageTemplateTextFormatter("{Message:lj}{NewLine}").Format(logEvent, rendered);

        string text = rendered.ToString();
        Assert.Equal(1, text.Count(c => c == '\n'));
        HostileText.AssertInert(Encoding.UTF8.GetBytes(text));
        Assert.StartsWith("account alice refused: home/evil\\nFAKE ENTRY\\x1b[2J\\x9b1m\\x85\\u2028end (3)", text, StringComparison.Ordinal);
    }
}
