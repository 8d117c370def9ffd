using System.Net;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace KeyAgentd.Registry;

/// <summary>
/// The registry's resilience pipeline: retries with exponential backoff and jitter on transient
/// failures (connect errors, per-attempt timeouts, 5xx, 429 honouring Retry-After), a circuit
/// breaker so a dead registry is not hammered by a whole fleet, and a timeout per attempt.
/// </summary>
public static class RegistryResilience
{
    public sealed record Options(TimeSpan AttemptTimeout, int MaxRetries = 3, TimeSpan? BaseDelay = null, TimeSpan? MaxRetryAfter = null, TimeSpan? BreakDuration = null);

    public static ResiliencePipeline<HttpResponseMessage> Build(Options options, TimeProvider? timeProvider = null)
    {
        var maxRetryAfter = options.MaxRetryAfter ?? TimeSpan.FromSeconds(60);
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage>();
        if (timeProvider is not null)
        {
            builder.TimeProvider = timeProvider;
        }
        return builder
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.BaseDelay ?? TimeSpan.FromSeconds(1),
                ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome)),
                DelayGenerator = args => ValueTask.FromResult(RetryAfter(args.Outcome.Result, maxRetryAfter)),
            })
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
            {
                FailureRatio = 1.0,
                MinimumThroughput = 8,
                SamplingDuration = TimeSpan.FromMinutes(2),
                BreakDuration = options.BreakDuration ?? TimeSpan.FromSeconds(30),
                ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome)),
            })
            .AddTimeout(options.AttemptTimeout)
            .Build();
    }

    internal static bool IsTransient(Outcome<HttpResponseMessage> outcome) => outcome switch
    {
        { Exception: HttpRequestException } => true,
        { Exception: TimeoutRejectedException } => true,
        { Exception: RegistryTooLargeException } => false,
        { Result: { } response } => (int)response.StatusCode >= 500 || response.StatusCode == HttpStatusCode.TooManyRequests || response.StatusCode == HttpStatusCode.RequestTimeout,
        _ => false,
    };

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
