using Serilog.Core;
using Serilog.Events;

namespace KeyAgentd.Logging;

/// <summary>
/// Adds "&lt;N&gt;" (sd-daemon(3) priority prefixes) when stdout is the journal, so journald keeps
/// levels; an empty string otherwise, for plain readable lines in a terminal.
/// </summary>
public sealed class SyslogPriorityEnricher(bool journal) : ILogEventEnricher
{
    public const string PropertyName = "SyslogPriority";

    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        string prefix = journal ? $"<{Priority(logEvent.Level)}>" : "";
        logEvent.AddPropertyIfAbsent(propertyFactory.CreateProperty(PropertyName, prefix));
    }

    public static int Priority(LogEventLevel level) => level switch
    {
        LogEventLevel.Fatal => 2,
        LogEventLevel.Error => 3,
        LogEventLevel.Warning => 4,
        LogEventLevel.Information => 6,
        _ => 7,
    };
}
