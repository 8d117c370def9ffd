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
        var logger = new LoggerConfiguration()
            .MinimumLevel.Is(toStandardError ? LogEventLevel.Warning : LogEventLevel.Information)
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            .MinimumLevel.Override("System.Net.Http", LogEventLevel.Warning)
            .MinimumLevel.Override("Polly", LogEventLevel.Warning)
            .Enrich.With(new SyslogPriorityEnricher(toJournal))
            .Enrich.With(new SafeTextEnricher());
        return logger.WriteTo.Console(outputTemplate: template, formatProvider: System.Globalization.CultureInfo.InvariantCulture, standardErrorFromLevel: toStandardError ? LogEventLevel.Verbose : null).CreateLogger();
    }
}
