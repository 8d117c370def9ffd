using Serilog;
using Serilog.Events;

namespace KeyAgentd.Logging;

/// <summary>Serilog to stdout: journald-friendly under systemd, plain lines in a terminal.</summary>
public static class LoggingSetup
{
    /// <param name="toStandardError">One-shot commands keep stdout for their own output.</param>
    public static Serilog.ILogger Create(bool toStandardError = false)
    {
        bool toJournal = Environment.GetEnvironmentVariable("JOURNAL_STREAM") is { Length: > 0 };
        // The journal stamps time itself; a terminal reader wants it.
        string template = toJournal
            ? "{" + SyslogPriorityEnricher.PropertyName + "}{Message:lj}{NewLine}{Exception}"
            : "{Timestamp:yyyy-MM-dd HH:mm:ss} [{Level:u3}] {Message:lj}{NewLine}{Exception}";
        var level = toStandardError ? LogEventLevel.Warning : LogEventLevel.Information;
        // A logger used as a sink does not apply its own minimum level to what it is given: the sink does.
        var output = new LoggerConfiguration()
            .MinimumLevel.Is(level)
            .Enrich.With(new SyslogPriorityEnricher(toJournal))
            .Enrich.With(new SafeTextEnricher())
            .WriteTo.Console(outputTemplate: template, formatProvider: System.Globalization.CultureInfo.InvariantCulture, restrictedToMinimumLevel: level,
                standardErrorFromLevel: toStandardError ? LogEventLevel.Verbose : null)
            .CreateLogger();
        // The libraries' own events below Warning are noise even at Debug; the rest are demoted (LibraryEventDemoter)
        // before `output` filters by level, so the journal's priority follows keyagentd's judgement, not theirs.
        return new LoggerConfiguration()
            .MinimumLevel.Is(level)
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            .MinimumLevel.Override("System.Net.Http", LogEventLevel.Warning)
            .MinimumLevel.Override("Polly", LogEventLevel.Warning)
            .WriteTo.Sink(new LibraryEventDemoter(output))
            .CreateLogger();
    }
}
