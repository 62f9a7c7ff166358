using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Conference.Api;

/// <summary>Limits per client address and per meeting, shared by every api instance through Redis.</summary>
public sealed class RateLimitOptions
{
    public int SignInPerIpPerMinute { get; set; } = 10;
    public int JoinPerIpPerMinute { get; set; } = 30;
    public int JoinPerMeetingPerMinute { get; set; } = 300;
}

/// <summary>
/// Fixed one-minute windows counted in Redis (key per window), so every api instance shares the count and
/// agrees on when a window ends. Small limits (the per-address ones) are counted in Redis on every hit, so
/// they are exact. Large limits are counted locally while far below the limit and sent to Redis every
/// 100 ms, so a busy meeting's joins do not each wait for Redis; near the limit every hit goes to Redis again.
/// </summary>
public sealed class RedisRateLimiter(IConnectionMultiplexer redis, TimeProvider clock, ILogger<RedisRateLimiter> logger) : BackgroundService
{
    static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    static readonly TimeSpan FlushEvery = TimeSpan.FromMilliseconds(100);

    /// <summary>Below this many hits a minute every hit is counted in Redis at once.</summary>
    const int ExactBelow = 100;

    readonly ConcurrentDictionary<string, Bucket> buckets = new();

    /// <summary>This instance's view of one key in one window: what Redis last said, and what it has not been told.</summary>
    sealed class Bucket
    {
        public long Window;
        public long Known;
        public long Pending;
    }

    // Adds ARGV[i] to KEYS[i] (a window's counter, kept two windows) and returns every new count.
    const string AddScript = """
        local counts = {}
        for i, key in ipairs(KEYS) do
          counts[i] = redis.call('INCRBY', key, ARGV[i])
          if counts[i] == tonumber(ARGV[i]) then redis.call('PEXPIRE', key, 120000) end
        end
        return counts
        """;

    /// <summary>Counts one hit per key; returns how long to wait when any key is over its limit, else null.</summary>
    public async Task<TimeSpan?> HitAsync(params (string Key, int Limit)[] counters)
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var window = now / (long)Window.TotalMilliseconds;
        var retryAfter = TimeSpan.FromMilliseconds(Math.Max(1000, (window + 1) * (long)Window.TotalMilliseconds - now));

        var askRedis = false;
        var hit = new (string Key, Bucket Bucket)[counters.Length];
        for (var i = 0; i < counters.Length; i++)
        {
            var (key, limit) = counters[i];
            var bucket = hit[i].Bucket = buckets.GetOrAdd(key, _ => new Bucket());
            hit[i].Key = key;
            lock (bucket)
            {
                if (bucket.Window != window)
                {
                    (bucket.Window, bucket.Known, bucket.Pending) = (window, 0, 0);
                }
                // Counts only grow within a window, so what we know to be over the limit is over it.
                if (bucket.Known + bucket.Pending >= limit)
                {
                    return retryAfter;
                }
                bucket.Pending++;
                askRedis |= limit < ExactBelow || (bucket.Known + bucket.Pending) * 2 > limit;
            }
        }
        if (!askRedis)
        {
            return null;
        }
        var counts = await FlushAsync(hit, window);
        return counters.Where((c, i) => counts[i] > c.Limit).Any() ? retryAfter : null;
    }

    /// <summary>Sends what the keys' buckets have not told Redis yet, and learns the shared counts back.</summary>
    async Task<long[]> FlushAsync((string Key, Bucket Bucket)[] keys, long window)
    {
        var pending = new long[keys.Length];
        for (var i = 0; i < keys.Length; i++)
        {
            var bucket = keys[i].Bucket;
            lock (bucket)
            {
                pending[i] = bucket.Window == window ? bucket.Pending : 0;
                bucket.Pending -= pending[i];
            }
        }
        try
        {
            var counts = (long[])(await redis.GetDatabase().ScriptEvaluateAsync(AddScript,
                keys.Select(k => (RedisKey)$"ratelimit:{k.Key}:{window}").ToArray(),
                pending.Select(p => (RedisValue)p).ToArray()))!;
            for (var i = 0; i < keys.Length; i++)
            {
                var bucket = keys[i].Bucket;
                lock (bucket)
                {
                    if (bucket.Window == window)
                    {
                        bucket.Known = Math.Max(bucket.Known, counts[i]);
                    }
                }
            }
            return counts;
        }
        catch (RedisException)
        {
            // Give the hits back to the bucket so the next flush counts them.
            for (var i = 0; i < keys.Length; i++)
            {
                var bucket = keys[i].Bucket;
                lock (bucket)
                {
                    bucket.Pending += bucket.Window == window ? pending[i] : 0;
                }
            }
            throw;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(FlushEvery, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var window = clock.GetUtcNow().ToUnixTimeMilliseconds() / (long)Window.TotalMilliseconds;
            foreach (var (key, bucket) in buckets)
            {
                if (bucket.Window < window)
                {
                    buckets.TryRemove(key, out _); // an old window: Redis has let it expire too
                }
            }
            var keys = buckets.Where(b => Volatile.Read(ref b.Value.Pending) > 0).Select(b => (b.Key, b.Value)).ToArray();
            if (keys.Length == 0)
            {
                continue;
            }
            try
            {
                await FlushAsync(keys, window);
            }
            catch (RedisException exception)
            {
                logger.LogWarning(exception, "Could not send {Count} rate-limit counters to Redis; will retry", keys.Length);
            }
        }
    }
}

public static class RateLimits
{
    /// <summary>Sign-in and sign-up: per client IP.</summary>
    public static RouteHandlerBuilder WithSignInRateLimit(this RouteHandlerBuilder endpoint) =>
        endpoint.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var options = http.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value;
            var limiter = http.RequestServices.GetRequiredService<RedisRateLimiter>();
            return await limiter.HitAsync(($"signin:ip:{ClientIp(http)}", options.SignInPerIpPerMinute)) is { } retryAfter
                ? TooManyRequests(retryAfter)
                : await next(context);
        }).ProducesProblem(StatusCodes.Status429TooManyRequests);

    /// <summary>Join: per client IP and per meeting, so neither one noisy client nor a flood on one link gets through.</summary>
    public static async Task<IResult?> CheckJoinAsync(HttpContext http, string slug)
    {
        var options = http.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value;
        var limiter = http.RequestServices.GetRequiredService<RedisRateLimiter>();
        var retryAfter = await limiter.HitAsync(
            ($"join:ip:{ClientIp(http)}", options.JoinPerIpPerMinute), ($"join:meeting:{slug}", options.JoinPerMeetingPerMinute));
        return retryAfter is { } wait ? TooManyRequests(wait) : null;
    }

    static IResult TooManyRequests(TimeSpan retryAfter) =>
        new RetryAfterResult(retryAfter, TypedResults.Problem(
            $"Too many requests; try again in {Math.Ceiling(retryAfter.TotalSeconds)} s.", statusCode: StatusCodes.Status429TooManyRequests));

    static string ClientIp(HttpContext http) => (http.Connection.RemoteIpAddress ?? IPAddress.None).ToString();

    sealed class RetryAfterResult(TimeSpan retryAfter, IResult inner) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return inner.ExecuteAsync(httpContext);
        }
    }
}
