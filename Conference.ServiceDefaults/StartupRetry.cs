using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// A start-up step that needs a dependency to be there — a database to migrate before serving — is tried again while
/// the dependency is not reachable yet, instead of the service exiting on the first failure. The orchestrator starts a
/// service once its dependencies report healthy, but a healthy Postgres can still refuse or time out a connection on a
/// busy host (an api exited with 134 on one 3 s connect timeout while the load average was 41), and compose restarts a
/// crashed service only after a delay of its own; the Processes variant of the AppHost never does.
/// </summary>
public static class StartupRetry
{
    /// <summary>How long a step is tried before the service gives up and exits: 2 minutes.</summary>
    public static readonly TimeSpan Budget = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Runs <paramref name="step"/> until it succeeds, waiting 1, 2, 4, then 5 s between tries while
    /// <paramref name="isTransient"/> says a failure is the dependency not being reachable yet; each wait is logged
    /// as a warning naming <paramref name="what"/> and the reason.
    /// </summary>
    /// <exception cref="Exception">
    /// The step's own exception when it is not transient, or when the dependency is still not reachable after
    /// <paramref name="budget"/> (default <see cref="Budget"/>).
    /// </exception>
    /// <exception cref="OperationCanceledException">The service is stopping.</exception>
    public static async Task RunAsync(string what, Func<CancellationToken, Task> step, Func<Exception, bool> isTransient, ILogger logger,
        CancellationToken cancellationToken, TimeSpan? budget = null, TimeProvider? timeProvider = null)
    {
        var clock = timeProvider ?? TimeProvider.System;
        var giveUpAt = clock.GetUtcNow() + (budget ?? Budget);
        var pipeline = new ResiliencePipelineBuilder { TimeProvider = clock }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(exception =>
                    exception is not OperationCanceledException && isTransient(exception) && clock.GetUtcNow() < giveUpAt),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = false,
                Delay = TimeSpan.FromSeconds(1),
                MaxDelay = TimeSpan.FromSeconds(5),
                OnRetry = retry =>
                {
                    logger.LogWarning("{What}: not reachable yet ({Reason}); trying again in {Delay:0.#} s.",
                        what, retry.Outcome.Exception?.Message, retry.RetryDelay.TotalSeconds);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
        await pipeline.ExecuteAsync(async token => await step(token), cancellationToken);
    }
}
