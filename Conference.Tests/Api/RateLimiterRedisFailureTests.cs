using System.Diagnostics.Metrics;
using System.Reflection;
using Conference.Api;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace Conference.Tests.Api;

/// <summary>
/// ci34: under load StackExchange.Redis found its socket dead ("no reads in 11 seconds"), cancelled the command in
/// flight, and the TaskCanceledException left the rate limiter's flush loop — which stopped the whole api (a
/// BackgroundService's exception stops the host). A cancelled Redis command is Redis being away, like a refusal.
/// </summary>
public sealed class RateLimiterRedisFailureTests
{
    [Fact]
    public async Task A_redis_command_cancelled_by_a_dropped_socket_is_decided_locally_and_the_flush_loop_keeps_going()
    {
        var redis = CancellingRedis.Create();
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        using var limiter = new RedisRateLimiter(redis, TimeProvider.System, NullLogger<RedisRateLimiter>.Instance,
            services.GetRequiredService<IMeterFactory>());
        await limiter.StartAsync(default);

        // A small limit asks Redis on every hit: the request is decided here, not answered with a 500.
        Assert.Null(await limiter.HitAsync(("sign-in:203.0.113.7", 5)));
        // A large one counts locally and leaves the hit for the flush loop, whose every attempt is cancelled too.
        Assert.Null(await limiter.HitAsync(("join:meeting", 10_000)));
        var asked = CancellingRedis.Calls(redis);
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (CancellingRedis.Calls(redis) < asked + 3 && DateTime.UtcNow < until)
        {
            await Task.Delay(50);
        }

        Assert.True(CancellingRedis.Calls(redis) >= asked + 3, $"the flush loop tried {CancellingRedis.Calls(redis) - asked} times");
        Assert.False(limiter.ExecuteTask!.IsCompleted, $"the flush loop ended: {limiter.ExecuteTask.Exception}");
        await limiter.StopAsync(default);
    }

    /// <summary>A connected multiplexer whose every script is cancelled, as when it drops a socket it found dead.</summary>
    class CancellingRedis : DispatchProxy
    {
        int calls;

        public static IConnectionMultiplexer Create()
        {
            var proxy = DispatchProxy.Create<IConnectionMultiplexer, CancellingRedis>();
            return proxy;
        }

        public static int Calls(IConnectionMultiplexer redis) => Volatile.Read(ref ((CancellingRedis)(object)redis).calls);

        protected override object? Invoke(MethodInfo? method, object?[]? args) => method?.Name switch
        {
            "get_IsConnected" => true,
            "GetDatabase" => Database(),
            "Dispose" => null,
            var name => throw new NotSupportedException(name),
        };

        IDatabase Database()
        {
            var database = DispatchProxy.Create<IDatabase, CancellingDatabase>();
            ((CancellingDatabase)(object)database).Owner = this;
            return database;
        }

        public class CancellingDatabase : DispatchProxy
        {
            public CancellingRedis? Owner;

            protected override object? Invoke(MethodInfo? method, object?[]? args)
            {
                if (method?.Name == "ScriptEvaluateAsync")
                {
                    Interlocked.Increment(ref Owner!.calls);
                    return Task.FromCanceled<RedisResult>(new CancellationToken(canceled: true));
                }
                throw new NotSupportedException(method?.Name);
            }
        }
    }
}
