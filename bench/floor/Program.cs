using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

var interval = TimeSpan.FromSeconds(double.Parse(args.Length > 0 ? args[0] : "1", System.Globalization.CultureInfo.InvariantCulture));
var builder = Host.CreateApplicationBuilder(args.Length > 1 ? args[1..] : []);
builder.Services.AddSingleton(new Interval(interval));
builder.Services.AddHostedService<Idle>();
await builder.Build().RunAsync();

internal sealed record Interval(TimeSpan Value);

/// <summary>Wakes up every interval and logs one line, as the daemon logs one per cycle.</summary>
internal sealed partial class Idle(Interval interval, ILogger<Idle> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        for (int cycle = 1; !stoppingToken.IsCancellationRequested; cycle++)
        {
            LogCycle(cycle);
            await Task.Delay(interval.Value, stoppingToken).ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "sync idle in 0.00s: cycle {Cycle}")]
    private partial void LogCycle(int cycle);
}
