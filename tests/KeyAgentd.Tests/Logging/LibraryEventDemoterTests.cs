using KeyAgentd.Logging;
using Serilog.Core;
using Serilog.Events;
using Serilog.Parsing;

namespace KeyAgentd.Tests.Logging;

public class LibraryEventDemoterTests
{
    private sealed class Collect : ILogEventSink
    {
        public List<LogEvent> Events { get; } = [];

        public void Emit(LogEvent logEvent) => Events.Add(logEvent);
    }

    private static LogEvent Passed(string category, LogEventLevel level, Exception? exception = null)
    {
        var collect = new Collect();
        var e = new LogEvent(DateTimeOffset.UnixEpoch, level, exception, new MessageTemplateParser().Parse("x"),
            [new LogEventProperty(Constants.SourceContextPropertyName, new ScalarValue(category))]);
        new LibraryEventDemoter(collect).Emit(e);
        return Assert.Single(collect.Events);
    }

    [Theory]
    [InlineData("Polly")]
    [InlineData("System.Net.Http.HttpClient.registry.LogicalHandler")]
    [InlineData("Microsoft.Extensions.Http.Resilience.Internal")]
    [InlineData("Microsoft.Hosting.Lifetime")]
    public void Library_events_go_to_debug_without_their_stack_trace(string category)
    {
        var passed = Passed(category, LogEventLevel.Error, new HttpRequestException("Connection refused"));

        Assert.Equal(LogEventLevel.Debug, passed.Level);
        Assert.Null(passed.Exception);
        Assert.Equal(category, ((ScalarValue)passed.Properties[Constants.SourceContextPropertyName]).Value);
    }

    [Theory]
    [InlineData("KeyAgentd.Sync.SyncEngine")]
    [InlineData("KeyAgentd.Daemon.SyncWorker")]
    [InlineData("PollyLookalike")]
    [InlineData("Microsoft.Extensions.Hosting.Internal.Host")]
    public void Keyagentds_own_events_and_the_hosts_failures_keep_their_level_and_exception(string category)
    {
        var bug = new InvalidOperationException("bug");

        var passed = Passed(category, LogEventLevel.Error, bug);

        Assert.Equal(LogEventLevel.Error, passed.Level);
        Assert.Same(bug, passed.Exception);
    }
}
