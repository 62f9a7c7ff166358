using Conference.Recorder.Recordings;

namespace Conference.Recorder.Extensions;

internal static class Extensions
{
    /// <summary>The recorder owns its own database: the api never reads or writes recordings' tables.</summary>
    public const string DatabaseName = "recordings";
    public const string RedisName = "redis";

    public static void AddRecorderServices(this IHostApplicationBuilder builder)
    {
        builder.AddNpgsqlDataSource(DatabaseName);
        builder.AddRedisClient(RedisName);

        builder.Services.AddHostedService<RecordingReconciler>();
    }
}
