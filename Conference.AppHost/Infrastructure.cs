using Conference.AppHost.Caddy;
using Conference.AppHost.LiveKit;
using Conference.AppHost.ObjectStorage;
using Conference.AppHost.Processes;

namespace Conference.AppHost;

/// <summary>
/// What the services are wired to, whichever way it runs, typed as far as both variants agree: databases and Redis
/// are containers or local processes, LiveKit one of ours or an external one, the bucket MinIO or an external one.
/// A null member is missing on this machine (shown as unavailable); the services run and report it.
/// </summary>
/// <param name="EgressStorageEndpoint">
/// Where Egress reaches the bucket when that is not where the services reach it (MinIO, from inside Egress's
/// container, by its name on the container network); null when it is the same address.
/// </param>
/// <param name="PublicStorageEndpoint">
/// The bucket's endpoint as browsers reach it when recordings play from presigned links on it (the storage endpoint
/// parameter); null for MinIO, reached only on this machine.
/// </param>
public sealed record Infrastructure(
    IResourceBuilder<IResourceWithConnectionString> ConferenceDatabase,
    IResourceBuilder<IResourceWithConnectionString> RecordingsDatabase,
    IResourceBuilder<IResourceWithConnectionString> Redis,
    IResourceBuilder<ILiveKitResource>? LiveKit,
    IResourceBuilder<IResourceWithConnectionString>? ObjectStorage,
    ReferenceExpression? EgressStorageEndpoint,
    IResourceBuilder<IResourceWithEnvironment>? FrontDoor,
    ReferenceExpression? PublicStorageEndpoint);

public static class InfrastructureBuilderExtensions
{
    /// <summary>
    /// Postgres, Redis, MinIO (Oracle Object Storage when publishing), LiveKit, Egress and Caddy as containers.
    /// </summary>
    public static Infrastructure AddContainerInfrastructure(this IDistributedApplicationBuilder builder, StackParameters parameters)
    {
        // PGPASSWORD: the image is initialised with --auth-local=scram-sha-256 (Aspire's POSTGRES_INITDB_ARGS), so its
        // local socket asks for the password too; psql and pg_dump run in the container (docker compose exec postgres:
        // deploy/backup.sh, restore.sh, docs/deploy.md) read it from there.
        var postgres = builder.AddPostgres("postgres", password: parameters.PostgresPassword)
            .WithEnvironment("PGPASSWORD", parameters.PostgresPassword)
            .WithDataVolume("postgres-data");
        var conferenceDb = postgres.AddDatabase("conference");
        var recordingsDb = postgres.AddDatabase("recordings");

        var redis = builder.AddRedis("redis", password: parameters.RedisPassword)
            .WithDataVolume("redis-data")
            .WithPersistence(TimeSpan.FromMinutes(1));

        // MinIO while developing; Oracle Object Storage, named by parameters, in the published deployment.
        var storageSettings = builder.ExecutionContext.IsPublishMode ? builder.ExternalStorageSettings(parameters) : null;
        var minio = storageSettings is null
            ? builder.AddMinio("storage", parameters.StorageRegion, parameters.StorageBucket, parameters.StorageAccessKey, parameters.StorageSecretKey)
            : null;
        IResourceBuilder<IResourceWithConnectionString> objectStorage = minio is not null
            ? minio
            : builder.AddConnectionString("storage", storageSettings!.ConnectionString);

        var liveKit = builder.AddLiveKit("livekit", parameters.LiveKitApiKey, parameters.LiveKitApiSecret, redis);

        var egress = builder.AddLiveKitEgress("egress", liveKit, redis, storageSettings ?? minio!.Resource.Settings);
        if (minio is not null)
        {
            egress.WaitFor(minio);
        }

        var caddy = builder.AddCaddy("caddy", CaddyfilePath(builder))
            .WithEnvironment("SITE_ADDRESS", builder.ExecutionContext.IsPublishMode ? ReferenceExpression.Create($"{parameters.Domain}") : ReferenceExpression.Create($"http://localhost"))
            .WithEnvironment("LIVEKIT_SITE_ADDRESS", builder.ExecutionContext.IsPublishMode ? ReferenceExpression.Create($"livekit.{parameters.Domain}") : ReferenceExpression.Create($"http://livekit.localhost"))
            .WithEnvironment("DASHBOARD_SITE_ADDRESS", builder.ExecutionContext.IsPublishMode ? ReferenceExpression.Create($"dashboard.{parameters.Domain}") : ReferenceExpression.Create($"http://dashboard.localhost"))
            .WithEnvironment("LIVEKIT_PUBLIC_ORIGIN", ReferenceExpression.Create($"wss://livekit.{parameters.Domain}"))
            .WithEnvironment("LIVEKIT_PUBLIC_HTTP_ORIGIN", ReferenceExpression.Create($"https://livekit.{parameters.Domain}"));
        if (storageSettings is not null)
        {
            caddy.WithStorageOrigin(storageSettings);
        }

        // TURN for browsers behind firewalls that pass only TLS: --Conference:Turn=true when publishing.
        if (bool.TryParse(builder.Configuration["Conference:Turn"], out var turn) && turn)
        {
            liveKit.WithTurn(parameters.Domain, caddy);
        }

        return new Infrastructure(conferenceDb, recordingsDb, redis, liveKit, objectStorage, minio?.Resource.ContainerNetworkUrl, caddy, storageSettings?.Endpoint);
    }

    /// <summary>
    /// The machine's own postgres, redis-server and caddy (and livekit-server when installed), for machines
    /// without a container engine. What needs containers (egress, MinIO) is shown as unavailable, and nothing
    /// waits for it.
    /// </summary>
    public static Infrastructure AddProcessInfrastructure(this IDistributedApplicationBuilder builder, StackParameters parameters)
    {
        var dataDirectory = DataDirectory(builder);

        var postgres = builder.AddPostgresProcess("postgres", parameters.PostgresPassword, Path.Combine(dataDirectory, "postgres"));
        var conferenceDb = postgres.AddDatabase("conference");
        var recordingsDb = postgres.AddDatabase("recordings");

        var redis = builder.AddRedisProcess("redis", parameters.RedisPassword, Path.Combine(dataDirectory, "redis"));

        var liveKit = builder.AddLiveKitForProcesses("livekit", parameters);

        builder.AddUnavailable("egress", "LiveKitEgress", "Egress runs headless Chrome in its container, which needs a container engine. Recording works here only when the LiveKit server on PATH answers the Egress API itself, as the tests' LiveKit emulator does.");
        var storageSettings = builder.Configuration["Parameters:storage-endpoint"] is { Length: > 0 } ? builder.ExternalStorageSettings(parameters) : null;
        var objectStorage = storageSettings is null ? null : builder.AddConnectionString("storage", storageSettings.ConnectionString);
        if (objectStorage is null)
        {
            builder.AddUnavailable("storage", "ObjectStorage", "MinIO needs a container engine; set Parameters:storage-endpoint to use an external S3-compatible bucket.");
        }

        IResourceBuilder<IResourceWithEnvironment>? caddy = null;
        if (LocalCommand.Find("caddy") is not null)
        {
            // LIVEKIT_PUBLIC_ORIGIN and LIVEKIT_PUBLIC_HTTP_ORIGIN, when LiveKit runs, come from the AppHost with the address the api hands out.
            caddy = builder.AddCaddyProcess("caddy", CaddyfilePath(builder), Path.Combine(dataDirectory, "caddy"));
            if (storageSettings is not null)
            {
                caddy.WithStorageOrigin(storageSettings);
            }
        }
        else
        {
            builder.AddUnavailable("caddy", "Caddy", "caddy is not installed; open web directly.");
        }

        return new Infrastructure(conferenceDb, recordingsDb, redis, liveKit, objectStorage, EgressStorageEndpoint: null, caddy, storageSettings?.Endpoint);
    }

    /// <summary>
    /// An external LiveKit (e.g. LiveKit Cloud) when <c>Parameters:livekit-url</c> is set, else livekit-server from
    /// PATH, else an unavailable placeholder: the rest of the stack still runs, and joining says why it cannot.
    /// </summary>
    static IResourceBuilder<ILiveKitResource>? AddLiveKitForProcesses(this IDistributedApplicationBuilder builder,
        string name, StackParameters parameters)
    {
        if (builder.Configuration["Parameters:livekit-url"] is { Length: > 0 })
        {
            return builder.AddExternalLiveKit(name, builder.AddParameter("livekit-url"), parameters.LiveKitApiKey, parameters.LiveKitApiSecret);
        }

        // Opted in: the pinned release binary, whatever PATH holds (the same version the Containers variant runs).
        if (bool.TryParse(builder.Configuration["Conference:LiveKit:Download"], out var download) && download)
        {
            var (downloaded, problem) = LiveKitServerDownload.Fetch(builder.Configuration);
            if (downloaded is not null)
            {
                return builder.AddLiveKitProcess(name, downloaded, parameters.LiveKitApiKey, parameters.LiveKitApiSecret);
            }
            builder.AddUnavailable(name, "LiveKit", $"{problem} Meetings cannot carry media.");
            return null;
        }

        if (LocalCommand.Find("livekit-server") is { } liveKitServer)
        {
            return builder.AddLiveKitProcess(name, liveKitServer, parameters.LiveKitApiKey, parameters.LiveKitApiSecret);
        }

        builder.AddUnavailable(name, "LiveKit",
            "livekit-server is not on PATH and Parameters:livekit-url is not set; meetings cannot carry media. "
            + $"Install livekit-server {LiveKitServerDownload.Version} (README), or run with --Conference:LiveKit:Download=true to fetch it.");
        return null;
    }

    /// <summary>Oracle Object Storage (or any S3-compatible service) named by parameters.</summary>
    static ObjectStorageSettings ExternalStorageSettings(this IDistributedApplicationBuilder builder, StackParameters parameters)
    {
        var endpoint = builder.AddParameter("storage-endpoint")
            .WithDescription("S3-compatible endpoint, e.g. https://NAMESPACE.compat.objectstorage.REGION.oraclecloud.com");
        return new ObjectStorageSettings(ReferenceExpression.Create($"{endpoint}"), parameters.StorageRegion.Resource,
            parameters.StorageBucket.Resource, parameters.StorageAccessKey.Resource, parameters.StorageSecretKey.Resource);
    }

    static string CaddyfilePath(IDistributedApplicationBuilder builder) =>
        Path.GetFullPath(Path.Combine(builder.AppHostDirectory, "..", "Caddyfile"));

    /// <summary>Where local processes keep their data between runs; tests point it at a temporary directory.</summary>
    static string DataDirectory(IDistributedApplicationBuilder builder)
    {
        var directory = builder.Configuration["Conference:DataDirectory"] is { Length: > 0 } configured
            ? Path.GetFullPath(configured)
            : Path.Combine(builder.AppHostDirectory, ".data");
        Directory.CreateDirectory(directory);
        if (LocalCommand.IsRoot && !OperatingSystem.IsWindows())
        {
            // The postgres user must be able to reach its data directory below this one.
            File.SetUnixFileMode(directory, (UnixFileMode)0b111_101_101);
        }
        return directory;
    }
}
