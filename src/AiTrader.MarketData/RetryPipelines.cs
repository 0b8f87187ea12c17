using System.Net.Http.Headers;
using Polly;
using Polly.Retry;

namespace AiTrader.MarketData;

/// <summary>The retry pipeline and Retry-After reading shared by the vendor data clients and the Alpaca trading client.</summary>
public static class RetryPipelines
{
    /// <summary>Exponential retries (no jitter) of <typeparamref name="TException"/> failures that
    /// <paramref name="isTransient"/> accepts and whose Retry-After is within <see cref="RetryOptions.MaxRetryAfter"/>;
    /// a server-given Retry-After replaces the backoff delay. <see cref="ResiliencePipeline.Empty"/> when retries are off.</summary>
    /// <param name="onRetry">Called before each retry with the attempt that failed (1-based), its error message and the delay.</param>
    public static ResiliencePipeline Build<TException>(
        RetryOptions retry,
        Func<TException, bool> isTransient,
        Func<TException, TimeSpan?> retryAfter,
        Action<int, string?, TimeSpan> onRetry)
        where TException : Exception
    {
        if (retry.MaxRetries <= 0)
        {
            return ResiliencePipeline.Empty;
        }

        return new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = retry.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = false,
                Delay = retry.BaseDelay,
                MaxDelay = retry.MaxDelay > TimeSpan.Zero ? retry.MaxDelay : null,
                ShouldHandle = new PredicateBuilder().Handle<TException>(e =>
                    isTransient(e) && (retryAfter(e) is not { } wait || wait <= retry.MaxRetryAfter)),
                DelayGenerator = args => ValueTask.FromResult(
                    args.Outcome.Exception is TException e && retryAfter(e) is { } ra ? (TimeSpan?)ra : null),
                OnRetry = args =>
                {
                    onRetry(args.AttemptNumber + 1, args.Outcome.Exception?.Message, args.RetryDelay);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    /// <summary>The wait a Retry-After header asks for (a past date means no wait); null when absent. A date is read
    /// against <paramref name="clock"/> (the system clock by default).</summary>
    public static TimeSpan? ReadRetryAfter(RetryConditionHeaderValue? header, TimeProvider? clock = null)
    {
        if (header?.Delta is { } delta)
        {
            return delta;
        }

        if (header?.Date is { } date)
        {
            var wait = date - (clock ?? TimeProvider.System).GetUtcNow();
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }

        return null;
    }
}
