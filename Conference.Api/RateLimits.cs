using System.Net;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Conference.Api;

/// <summary>Limits per client IP and per meeting, counted in Redis so every api instance shares the count.</summary>
public sealed class RateLimitOptions
{
    public int SignInPerIpPerMinute { get; set; } = 10;
    public int JoinPerIpPerMinute { get; set; } = 30;
    public int JoinPerMeetingPerMinute { get; set; } = 300;
}

/// <summary>
/// A fixed-window counter per key in Redis: one INCR (and PEXPIRE on the first hit) per request, atomic in a
/// script. Over the limit the caller gets 429 with Retry-After set to what is left of the window.
/// </summary>
public sealed class RedisRateLimiter(IConnectionMultiplexer redis)
{
    static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    // Counts one hit on every key (ARGV[1] is the window, ARGV[2..] each key's limit) in one round trip, and
    // answers the wait in ms of the first key over its limit, or 0.
    const string CountScript = """
        for i, key in ipairs(KEYS) do
          local count = redis.call('INCR', key)
          if count == 1 then redis.call('PEXPIRE', key, ARGV[1]) end
          if count > tonumber(ARGV[i + 1]) then return math.max(1, redis.call('PTTL', key)) end
        end
        return 0
        """;

    /// <summary>Counts one hit per key; returns how long to wait when any key is over its limit, else null.</summary>
    public async Task<TimeSpan?> HitAsync(params (string Key, int Limit)[] counters)
    {
        var keys = counters.Select(c => (RedisKey)$"ratelimit:{c.Key}").ToArray();
        var arguments = counters.Select(c => (RedisValue)c.Limit).Prepend((long)Window.TotalMilliseconds).ToArray();
        var wait = (long)(await redis.GetDatabase().ScriptEvaluateAsync(CountScript, keys, arguments));
        return wait > 0 ? TimeSpan.FromMilliseconds(wait) : null;
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
