using KeyAgentd.Core;
using Serilog.Core;
using Serilog.Events;

namespace KeyAgentd.Logging;

/// <summary>
/// Escapes control characters (<see cref="SafeText.IsControl"/>) in every string a log event carries,
/// whoever formatted it: log lines go to a terminal or to journald, where a newline in a value would
/// forge a second entry and a C1 control would drive the reader's terminal. The values quote paths,
/// registry errors and refusal reasons that can hold a user's or the registry's text.
/// </summary>
public sealed class SafeTextEnricher : ILogEventEnricher
{
    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        List<LogEventProperty>? escaped = null;
        foreach (var (name, value) in logEvent.Properties)
        {
            if (value is ScalarValue { Value: string text } && SafeText.ContainsControl(text))
            {
                (escaped ??= []).Add(new LogEventProperty(name, new ScalarValue(SafeText.Escape(text))));
            }
        }
        // Replaced after the walk: the property dictionary cannot change while it is enumerated.
        foreach (var property in escaped ?? [])
        {
            logEvent.AddOrUpdateProperty(property);
        }
    }
}
