using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Conference.Api;

/// <summary>Limits per client address, per account and address, and per address within a meeting, shared by every api instance through Redis.</summary>
public sealed class RateLimitOptions
{
    /// <summary>
    /// Sign-up, sign-in and password changes from one address, whatever the account. An office behind one NAT
    /// address signs in together at nine: 60 lets a few dozen people in within a minute, and still bounds a guesser
    /// trying many accounts (one account is bounded by <see cref="SignInPerAccountAndIpPerMinute"/>). Was 10, which
    /// locked out the eleventh colleague.
    /// </summary>
    public int SignInPerIpPerMinute { get; set; } = 60;

    /// <summary>Sign-in attempts at one account from one address: slows password guessing, never locks the owner out.</summary>
    public int SignInPerAccountAndIpPerMinute { get; set; } = 5;

    public int JoinPerIpPerMinute { get; set; } = 30;

    /// <summary>
    /// Joins of one meeting from one address. Counted per address, not per meeting, so a few addresses cannot use
    /// up a meeting-wide allowance and lock everyone else (the host included) out.
    /// </summary>
    public int JoinPerIpPerMeetingPerMinute { get; set; } = 10;
}

/// <summary>
/// Fixed one-minute windows counted in Redis (key per window), so every api instance shares the count and
/// agrees on when a window ends. Small limits (the per-address ones) are counted in Redis on every hit, so
/// they are exact. Large limits are counted locally while far below the limit and sent to Redis every
/// 100 ms, so a busy meeting's joins do not each wait for Redis; near the limit every hit goes to Redis again.
/// </summary>
/// <remarks>
/// Without Redis (down, or not answering) every instance keeps counting on its own and says so: a warning when
/// it starts and the <c>conference.rate_limit.local_decisions</c> counter per decision. The hits it counted are
/// sent to Redis when it is back. Limits then hold per instance, which is what one server runs anyway.
/// </remarks>
public sealed class RedisRateLimiter(IConnectionMultiplexer redis, TimeProvider clock, ILogger<RedisRateLimiter> logger, IMeterFactory meters)
    : BackgroundService
{
    readonly Counter<long> localDecisions = meters.Create("Conference.Api.RateLimits")
        .CreateCounter<long>("conference.rate_limit.local_decisions", "{decision}", "Rate-limit decisions made without Redis (per-instance counts).");

    int redisUnavailable; // 1 while the last attempt to reach Redis failed; for logging the change once

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
        // A disconnected multiplexer would queue the command until its timeout (seconds): decide locally at once.
        if (!redis.IsConnected)
        {
            return DecideLocally(null);
        }
        try
        {
            var counts = await FlushAsync(hit, window);
            if (Interlocked.Exchange(ref redisUnavailable, 0) == 1)
            {
                logger.LogInformation("Redis answers again; rate limits are shared by every api instance again");
            }
            return counters.Where((c, i) => counts[i] > c.Limit).Any() ? retryAfter : null;
        }
        catch (Exception exception) when (IsRedisFailure(exception))
        {
            return DecideLocally(exception);
        }
    }

    /// <summary>
    /// Redis did not answer: refused, timed out, or cancelled — StackExchange.Redis cancels the commands in flight
    /// when it drops a socket it finds dead ("no reads in 11 seconds"), and nothing here cancels them otherwise.
    /// </summary>
    static bool IsRedisFailure(Exception exception) => exception is RedisException or TimeoutException or OperationCanceledException;

    // This instance's counts already passed the limit check above; the hit stays pending for Redis.
    TimeSpan? DecideLocally(Exception? exception)
    {
        localDecisions.Add(1);
        if (Interlocked.Exchange(ref redisUnavailable, 1) == 0)
        {
            logger.LogWarning(exception, "Redis is unavailable; rate limits are counted by this api instance alone until it returns");
        }
        return null;
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
        catch (Exception)
        {
            // Whatever went wrong, give the hits back to the bucket so the next flush counts them.
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
            if (keys.Length == 0 || !redis.IsConnected)
            {
                continue;
            }
            try
            {
                await FlushAsync(keys, window);
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                // Never out of this loop: an exception leaving a BackgroundService stops the whole api (ci34: a dead
                // Redis socket's cancelled command did).
                logger.LogDebug(exception, "Could not send {Count} rate-limit counters to Redis; will retry", keys.Length);
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

    /// <summary>
    /// One sign-in attempt at <paramref name="email"/> from this client's address; a 429 problem when there were too
    /// many. The account is named by a hash, so Redis never holds the email.
    /// </summary>
    public static async Task<ProblemHttpResult?> CheckSignInAttemptAsync(HttpContext http, string email)
    {
        var options = http.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value;
        var limiter = http.RequestServices.GetRequiredService<RedisRateLimiter>();
        var account = Convert.ToHexString(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(email.ToUpperInvariant())), 0, 12);
        var retryAfter = await limiter.HitAsync(($"signin:account:{account}:ip:{ClientIp(http)}", options.SignInPerAccountAndIpPerMinute));
        if (retryAfter is not { } wait)
        {
            return null;
        }
        SetRetryAfter(http, wait);
        return TypedResults.Problem($"Too many sign-in attempts for this account from your address; try again in {Seconds(wait)} s.",
            statusCode: StatusCodes.Status429TooManyRequests);
    }

    /// <summary>
    /// Join: per client IP, and per IP within the meeting, so neither one noisy client nor a few addresses flooding one
    /// link get through, and nobody else's joins count against them.
    /// </summary>
    /// <returns>Null to go on; else the 429 problem to answer with (Retry-After is already set on the response).</returns>
    public static async Task<ProblemHttpResult?> CheckJoinAsync(HttpContext http, string slug)
    {
        var options = http.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value;
        var limiter = http.RequestServices.GetRequiredService<RedisRateLimiter>();
        var address = ClientIp(http);
        var retryAfter = await limiter.HitAsync(
            ($"join:ip:{address}", options.JoinPerIpPerMinute), ($"join:meeting:{slug}:ip:{address}", options.JoinPerIpPerMeetingPerMinute));
        if (retryAfter is not { } wait)
        {
            return null;
        }
        // A plain problem result (not a wrapper), so the join endpoint's typed results can carry it.
        SetRetryAfter(http, wait);
        return TypedResults.Problem($"Too many requests; try again in {Seconds(wait)} s.", statusCode: StatusCodes.Status429TooManyRequests);
    }

    static IResult TooManyRequests(TimeSpan retryAfter) =>
        new RetryAfterResult(retryAfter, TypedResults.Problem(
            $"Too many requests; try again in {Seconds(retryAfter)} s.", statusCode: StatusCodes.Status429TooManyRequests));

    static int Seconds(TimeSpan wait) => (int)Math.Ceiling(wait.TotalSeconds);

    static void SetRetryAfter(HttpContext http, TimeSpan wait) =>
        http.Response.Headers.RetryAfter = Seconds(wait).ToString(System.Globalization.CultureInfo.InvariantCulture);

    static string ClientIp(HttpContext http) => (http.Connection.RemoteIpAddress ?? IPAddress.None).ToString();

    sealed class RetryAfterResult(TimeSpan retryAfter, IResult inner) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            SetRetryAfter(httpContext, retryAfter);
            return inner.ExecuteAsync(httpContext);
        }
    }
}
