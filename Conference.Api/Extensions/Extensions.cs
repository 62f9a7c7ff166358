namespace Conference.Api.Extensions;

internal static class Extensions
{
    /// <summary>The connection names the AppHost gives the api's dependencies.</summary>
    public const string DatabaseName = "conference";
    public const string RedisName = "redis";

    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        // Both client integrations register their own health checks, so /health reports Postgres and Redis.
        builder.AddNpgsqlDataSource(DatabaseName);
        builder.AddRedisClient(RedisName);
    }
}
