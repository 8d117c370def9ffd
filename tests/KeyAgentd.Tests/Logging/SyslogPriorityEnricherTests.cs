using KeyAgentd.Logging;
using Serilog.Events;
using Serilog.Parsing;

namespace KeyAgentd.Tests.Logging;

public class SyslogPriorityEnricherTests
{
    private static string Prefix(bool journal, LogEventLevel level)
    {
        var e = new LogEvent(DateTimeOffset.UnixEpoch, level, null, new MessageTemplateParser().Parse("x"), []);
        new SyslogPriorityEnricher(journal).Enrich(e, new Factory());
        return ((ScalarValue)e.Properties[SyslogPriorityEnricher.PropertyName]).Value!.ToString()!;
    }

    [Theory]
    [InlineData(LogEventLevel.Error, "<3>")]
    [InlineData(LogEventLevel.Warning, "<4>")]
    [InlineData(LogEventLevel.Information, "<6>")]
    [InlineData(LogEventLevel.Debug, "<7>")]
    [InlineData(LogEventLevel.Fatal, "<2>")]
    public void Journal_lines_carry_sd_daemon_prefixes(LogEventLevel level, string prefix) =>
        Assert.Equal(prefix, Prefix(journal: true, level));

    [Fact]
    public void Terminal_lines_have_no_prefix() => Assert.Equal("", Prefix(journal: false, LogEventLevel.Error));

    private sealed class Factory : Serilog.Core.ILogEventPropertyFactory
    {
        public LogEventProperty CreateProperty(string name, object? value, bool destructureObjects = false) => new(name, new ScalarValue(value));
    }
}
