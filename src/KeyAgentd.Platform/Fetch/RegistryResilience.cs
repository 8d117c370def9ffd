using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace KeyAgentd.Fetch;

/// <summary>
/// The registry's resilience pipeline, built from Microsoft.Extensions.Http.Resilience's HTTP
/// strategies (whose default ShouldHandle is the transient set: connect errors, per-attempt
/// timeouts, 5xx, 408 and 429): retries with exponential backoff and jitter, a circuit breaker so
/// a dead registry is not hammered by a whole fleet, and a timeout per attempt, innermost.
/// </summary>
public static class RegistryResilience
{
    public sealed record Options(TimeSpan AttemptTimeout, int MaxRetries = 3, TimeSpan? BaseDelay = null, TimeSpan? MaxRetryAfter = null, TimeSpan? BreakDuration = null);

    /// <summary>The strategies in order, for <c>AddResilienceHandler</c> and for <see cref="Build"/>.</summary>
    public static ResiliencePipelineBuilder<HttpResponseMessage> Configure(ResiliencePipelineBuilder<HttpResponseMessage> builder, Options options)
    {
        var maxRetryAfter = options.MaxRetryAfter ?? TimeSpan.FromSeconds(60);
        return builder
            .AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.BaseDelay ?? TimeSpan.FromSeconds(1),
                // The library's own Retry-After generator is uncapped (and Polly's MaxDelay does not
                // apply to a generator), so a registry could park us for an hour: ours caps it.
                ShouldRetryAfterHeader = false,
                DelayGenerator = args => ValueTask.FromResult(RetryAfter(args.Outcome.Result, maxRetryAfter)),
            })
            .AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
            {
                FailureRatio = 1.0,
                MinimumThroughput = 8,
                SamplingDuration = TimeSpan.FromMinutes(2),
                BreakDuration = options.BreakDuration ?? TimeSpan.FromSeconds(30),
            })
            .AddTimeout(new HttpTimeoutStrategyOptions { Timeout = options.AttemptTimeout });
    }

    /// <summary>The same pipeline without a service provider, for a hand-built handler chain.</summary>
    public static ResiliencePipeline<HttpResponseMessage> Build(Options options, TimeProvider? timeProvider = null)
    {
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage>();
        if (timeProvider is not null)
        {
            builder.TimeProvider = timeProvider;
        }
        return Configure(builder, options).Build();
    }

    /// <summary>Retry-After (seconds or a date) wins over the backoff, bounded so a registry cannot park us forever.</summary>
    internal static TimeSpan? RetryAfter(HttpResponseMessage? response, TimeSpan max)
    {
        if (response?.Headers.RetryAfter is not { } retryAfter)
        {
            return null;
        }
        TimeSpan? wait = retryAfter.Delta ?? (retryAfter.Date is { } date ? date - DateTimeOffset.UtcNow : null);
        if (wait is not { } value)
        {
            return null;
        }
        return value < TimeSpan.Zero ? TimeSpan.Zero : value > max ? max : value;
    }
}
