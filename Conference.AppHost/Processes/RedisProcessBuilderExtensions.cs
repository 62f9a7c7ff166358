using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace Conference.AppHost.Processes;

public static class RedisProcessBuilderExtensions
{
    /// <summary>
    /// Adds <c>redis-server</c> as a local process with append-only persistence in <paramref name="dataDirectory"/>.
    /// The password goes in a config file written at start, not on the command line where the dashboard shows it.
    /// </summary>
    public static IResourceBuilder<RedisProcessResource> AddRedisProcess(this IDistributedApplicationBuilder builder,
        string name, IResourceBuilder<ParameterResource> password, string dataDirectory)
    {
        var redisServer = LocalCommand.Find("redis-server")
            ?? throw new InvalidOperationException("redis-server was not found: install the redis-server package.");
        var configFile = Path.Combine(dataDirectory, "redis.conf");

        var resource = new RedisProcessResource(name, redisServer, dataDirectory, password.Resource);
        var redis = builder.AddResource(resource)
            .WithEndpoint(name: RedisProcessResource.PrimaryEndpointName, scheme: "tcp")
            .WithArgs(context =>
            {
                context.Args.Add(configFile);
                context.Args.Add("--port");
                context.Args.Add(resource.PrimaryEndpoint.Property(EndpointProperty.TargetPort));
            });

        builder.Eventing.Subscribe<BeforeResourceStartedEvent>(resource, async (_, cancellationToken) =>
        {
            Directory.CreateDirectory(dataDirectory);
            var secret = await password.Resource.GetValueAsync(cancellationToken);
            await File.WriteAllTextAsync(configFile, $"""
                bind 127.0.0.1
                dir "{dataDirectory}"
                appendonly yes
                requirepass "{secret}"
                """, cancellationToken);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(configFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        });

        var key = $"{name}_check";
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(key, _ => new RedisHealthCheck(resource), null, null));
        return redis.WithHealthCheck(key);
    }

    sealed class RedisHealthCheck(RedisProcessResource resource) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                var connectionString = await resource.ConnectionStringExpression.GetValueAsync(cancellationToken);
                await using var connection = await ConnectionMultiplexer.ConnectAsync($"{connectionString},abortConnect=true,connectTimeout=2000");
                await connection.GetDatabase().PingAsync();
                return HealthCheckResult.Healthy();
            }
            catch (RedisException exception)
            {
                return HealthCheckResult.Unhealthy(exception.Message);
            }
        }
    }
}
