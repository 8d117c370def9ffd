using Serilog.Core;
using Serilog.Events;

namespace KeyAgentd.Logging;

/// <summary>
/// Rewrites the events of the libraries keyagentd drives (the HTTP client and its handlers, the
/// resilience pipeline's retries, the host's lifetime chatter) to Debug, without their exception,
/// before they reach <paramref name="inner"/>. A down registry made them log every attempt at
/// Warning (the last at Error) with a full HttpRequestException stack trace: ~200 lines per cycle
/// for a failure keyagentd already reports in one line with its reason code (SyncEngine event 101).
/// </summary>
public sealed class LibraryEventDemoter(ILogEventSink inner) : ILogEventSink, IDisposable
{
    /// <summary>Logger categories (and their sub-categories) owned by libraries, not by keyagentd.</summary>
    public static readonly IReadOnlyList<string> LibraryCategories =
        ["System.Net.Http", "Polly", "Microsoft.Extensions.Http", "Microsoft.Extensions.Resilience", "Microsoft.Hosting.Lifetime"];

    public void Emit(LogEvent logEvent) => inner.Emit(IsLibraryEvent(logEvent) ? Demote(logEvent) : logEvent);

    public static bool IsLibraryEvent(LogEvent logEvent) =>
        logEvent.Properties.TryGetValue(Constants.SourceContextPropertyName, out var value)
        && value is ScalarValue { Value: string category }
        && LibraryCategories.Any(library => category.StartsWith(library, StringComparison.Ordinal)
            && (category.Length == library.Length || category[library.Length] == '.'));

    private static LogEvent Demote(LogEvent logEvent) =>
        logEvent.Level <= LogEventLevel.Debug && logEvent.Exception is null
            ? logEvent
            : new LogEvent(logEvent.Timestamp, LogEventLevel.Debug, null, logEvent.MessageTemplate,
                logEvent.Properties.Select(p => new LogEventProperty(p.Key, p.Value)), logEvent.TraceId ?? default, logEvent.SpanId ?? default);

    public void Dispose() => (inner as IDisposable)?.Dispose();
}
