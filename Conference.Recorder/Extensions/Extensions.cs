using System.Text.Json.Serialization;
using Conference.Recorder.Data;
using Conference.Recorder.Recordings;
using Conference.Recorder.Storage;
using Npgsql;

namespace Conference.Recorder.Extensions;

static class Extensions
{
    /// <summary>The recorder owns its own database: the api never reads or writes recordings' tables.</summary>
    public const string DatabaseName = "recordings";
    public const string RedisName = "redis";
    public const string LiveKitName = "livekit";

    public static void AddRecorderServices(this IHostApplicationBuilder builder)
    {
        // Both client integrations register health checks, so /health reports Postgres and Redis for real.
        builder.AddNpgsqlDataSource(DatabaseName);
        builder.AddRedisClient(RedisName);

        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<DatabaseUnavailableHandler>();
        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddOptions<RecordingOptions>().BindConfiguration(RecordingOptions.SectionName);
        builder.Services.AddSingleton<RecordingStore>();
        builder.Services.AddSingleton<RetentionSettingStore>();
        builder.Services.AddSingleton<Recordings.Recorder>();
        builder.Services.AddSingleton<RecordingRetention>();
        builder.Services.AddSingleton<RecordingReconciler>();
        builder.Services.AddHostedService(services => services.GetRequiredService<RecordingReconciler>());

        // Without LiveKit or storage the recorder still runs and answers 503 with the reason to a start.
        if (builder.Configuration.GetConnectionString(LiveKitName) is { Length: > 0 } || builder.Configuration["LiveKit:Url"] is { Length: > 0 })
        {
            builder.AddLiveKitClient(LiveKitName);
            // Every Twirp call is a POST and a retried StartRoomCompositeEgress would record twice;
            // the reconciler is the retry for everything else.
            builder.Services.AddHttpClient<Conference.LiveKit.EgressClient>().WithoutRetryingUnsafeMethods();
        }
        var storage = new ObjectStorageOptions();
        ReadStorageOptions(builder.Configuration, storage);
        builder.Services.AddOptions<ObjectStorageOptions>().Configure(options => ReadStorageOptions(builder.Configuration, options));
        if (storage.IsConfigured)
        {
            builder.Services.AddSingleton<RecordingStorage>();
            builder.Services.AddHealthChecks().AddCheck<StorageHealthCheck>("storage");
        }
    }

    /// <summary>The AppHost's <c>ConnectionStrings:storage</c> over the <c>Storage</c> section.</summary>
    static void ReadStorageOptions(IConfiguration configuration, ObjectStorageOptions options)
    {
        configuration.GetSection("Storage").Bind(options);
        if (configuration.GetConnectionString(ObjectStorageOptions.ConnectionName) is { Length: > 0 } connectionString)
        {
            options.ParseConnectionString(connectionString);
        }
    }

    /// <summary>
    /// Creates or upgrades the recorder's tables before anything reads them; tried again while Postgres cannot be
    /// reached yet (<see cref="StartupRetry"/>).
    /// </summary>
    public static async Task MigrateRecordingsDatabaseAsync(this WebApplication app)
    {
        var dataSource = app.Services.GetRequiredService<NpgsqlDataSource>();
        await StartupRetry.RunAsync("Migrating the recorder's database", token => RecordingsSchema.MigrateAsync(dataSource, token),
            exception => exception is NpgsqlException { IsTransient: true }, app.Logger, app.Lifetime.ApplicationStopping);
        await app.Services.GetRequiredService<RetentionSettingStore>().AdoptRelayedSettingAsync(
            app.Services.GetRequiredService<StackExchange.Redis.IConnectionMultiplexer>(), app.Logger, app.Lifetime.ApplicationStopping);
    }
}
