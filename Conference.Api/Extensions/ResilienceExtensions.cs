using System.Net.Sockets;
using Aspire.Npgsql.EntityFrameworkCore.PostgreSQL;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using StackExchange.Redis;

namespace Conference.Api.Extensions;

/// <summary>
/// How the api behaves when Postgres or Redis is down: fail fast (no 30 s of retries, no commands queued for
/// seconds), answer 503 with Retry-After naming what is unavailable, and recover on its own when it returns.
/// </summary>
static class ResilienceExtensions
{
    /// <summary>Seconds a client is asked to wait before trying again after a 503.</summary>
    public const int RetryAfterSeconds = 5;

    /// <summary>
    /// No EF retries (they hold a request for up to 30 s, then fail anyway) and a connect timeout of 3 s unless the
    /// connection string names one: a request learns within a second or two that the database is not there.
    /// </summary>
    public static void FailFast(NpgsqlEntityFrameworkCorePostgreSQLSettings settings)
    {
        settings.DisableRetry = true;
        if (settings.ConnectionString is { Length: > 0 } connectionString
            && !new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString }.ContainsKey("Timeout"))
        {
            settings.ConnectionString = new NpgsqlConnectionStringBuilder(connectionString) { Timeout = 3 }.ConnectionString;
        }
    }

    /// <summary>
    /// While disconnected, a command fails at once instead of waiting in the backlog for the 5 s timeout; the
    /// multiplexer keeps reconnecting in the background.
    /// </summary>
    public static void FailFast(ConfigurationOptions options)
    {
        options.AbortOnConnectFail = false;
        options.BacklogPolicy = BacklogPolicy.FailFast;
        options.ConnectTimeout = 2000;
        options.AsyncTimeout = options.SyncTimeout = 2000;
    }

    /// <summary>Redis down makes the api degraded, not unhealthy: joining and signing in go on without it.</summary>
    public static void AddDependencyResilience(this IHostApplicationBuilder builder)
    {
        builder.Services.PostConfigure<HealthCheckServiceOptions>(options =>
        {
            foreach (var check in options.Registrations.Where(r => r.Name.Contains("Redis", StringComparison.OrdinalIgnoreCase)))
            {
                check.FailureStatus = HealthStatus.Degraded;
            }
        });
        builder.Services.AddExceptionHandler<DependencyUnavailableExceptionHandler>();
    }

    /// <summary>What is unavailable when <paramref name="exception"/> (or one inside it) says a dependency cannot be reached.</summary>
    public static string? UnavailableDependency(Exception exception)
    {
        for (var inner = exception; inner is not null; inner = inner.InnerException)
        {
            switch (inner)
            {
                case RedisConnectionException or RedisTimeoutException:
                    return "Redis (waiting rooms and live updates)";
                case PostgresException postgres when !postgres.IsTransient:
                    return null; // the database answered: a real error, not an outage
                case NpgsqlException or SocketException:
                    return "The database";
            }
        }
        return null;
    }
}

/// <summary>A dependency that cannot be reached becomes a 503 problem with Retry-After, never a 500.</summary>
sealed class DependencyUnavailableExceptionHandler(IProblemDetailsService problems, ILogger<DependencyUnavailableExceptionHandler> logger)
    : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (ResilienceExtensions.UnavailableDependency(exception) is not { } dependency)
        {
            return false;
        }
        logger.LogWarning("{Dependency} is unavailable: {Method} {Path} answered 503 ({Error})", dependency,
            httpContext.Request.Method, httpContext.Request.Path, exception.GetBaseException().Message);
        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = ResilienceExtensions.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "Service unavailable",
                Detail = $"{dependency} is unavailable; try again in a few seconds.",
            },
        });
    }
}
