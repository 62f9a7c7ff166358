using Conference.AppHost;
using Conference.AppHost.Caddy;
using Conference.AppHost.Diagnostics;
using Conference.AppHost.LiveKit;
using Conference.AppHost.ObjectStorage;
using Conference.AppHost.Processes;

var builder = DistributedApplication.CreateBuilder(args);
var runtime = builder.GetRuntimeVariant();

// Secrets and deployment settings: user secrets while developing, the .env file in production.
var parameters = new StackParameters(
    LiveKitApiKey: builder.AddParameter("livekit-api-key", "conference", publishValueAsDefault: true),
    LiveKitApiSecret: builder.AddGeneratedSecret("livekit-api-secret", minLength: 32),
    PostgresPassword: builder.AddGeneratedSecret("postgres-password"),
    RedisPassword: builder.AddGeneratedSecret("redis-password"),
    StorageRegion: builder.AddParameter("storage-region", "us-east-1", publishValueAsDefault: true),
    StorageBucket: builder.AddParameter("storage-bucket", "recordings", publishValueAsDefault: true),
    // Oracle's customer secret keys in production; generated MinIO credentials while developing.
    StorageAccessKey: builder.ExecutionContext.IsPublishMode
        ? builder.AddParameter("storage-access-key", secret: true)
        : builder.AddGeneratedSecret("storage-access-key"),
    StorageSecretKey: builder.ExecutionContext.IsPublishMode
        ? builder.AddParameter("storage-secret-key", secret: true)
        : builder.AddGeneratedSecret("storage-secret-key"),
    Domain: builder.ExecutionContext.IsPublishMode
        ? builder.AddParameter("domain").WithDescription("The public name, e.g. meet.example.org; livekit.DOMAIN and dashboard.DOMAIN must point here too.")
        : builder.AddParameter("domain", "localhost"));

// Infrastructure: containers where an engine answers (and always when publishing), local processes otherwise.
var infrastructure = runtime == RuntimeVariant.Containers
    ? builder.AddContainerInfrastructure(parameters)
    : builder.AddProcessInfrastructure(parameters);

// Services
// Only the api may use the recorder's internal interface, not the other services on the network.
var recorderInternalKey = builder.AddGeneratedSecret("recorder-internal-key", minLength: 32);

var recorder = builder.AddProject<Projects.Conference_Recorder>("recorder")
    .WithHttpEndpoint()
    .WithReference(infrastructure.RecordingsDatabase).WaitFor(infrastructure.RecordingsDatabase)
    .WithReference(infrastructure.Redis).WaitFor(infrastructure.Redis)
    .WithOptionalReference(infrastructure.LiveKit)
    .WithOptionalReference(infrastructure.ObjectStorage)
    .WithEnvironment("Recorder__InternalKey", recorderInternalKey)
    .WithHttpHealthCheck("/health");
if (infrastructure.ObjectStorage?.Resource is MinioResource minio)
{
    // The recorder names the bucket's endpoint in each egress request, and Egress uploads from inside its container.
    recorder.WithEnvironment("Storage__EgressEndpoint", minio.ContainerNetworkUrl);
}

var api = builder.AddProject<Projects.Conference_Api>("api")
    .WithHttpEndpoint()
    .WithReference(infrastructure.ConferenceDatabase).WaitFor(infrastructure.ConferenceDatabase)
    .WithReference(infrastructure.Redis).WaitFor(infrastructure.Redis)
    .WithOptionalReference(infrastructure.LiveKit)
    // Recordings go through the api's authorisation to the recorder; the api runs (and answers 503) without it.
    .WithReference(recorder)
    .WithEnvironment("Recorder__InternalKey", recorderInternalKey)
    .WithHttpHealthCheck("/health");
if (builder.ExecutionContext.IsPublishMode)
{
    // Browsers reach LiveKit through Caddy, not at the internal address the api calls it on.
    api.WithEnvironment("MediaServer__PublicUrl", ReferenceExpression.Create($"wss://livekit.{parameters.Domain.Resource}"));
}
else if (runtime == RuntimeVariant.Processes && infrastructure.LiveKit?.Resource is ILiveKitResource
         && infrastructure.FrontDoor?.Resource is IResourceWithEndpoints frontDoor)
{
    // Browsers reach the local LiveKit through Caddy's livekit.localhost:PORT site too: the only media origin the
    // site's Content-Security-Policy allows (LiveKit's own port would be refused by connect-src).
    var frontDoorPort = frontDoor.GetEndpoint("http").Property(EndpointProperty.Port);
    api.WithEnvironment("MediaServer__PublicUrl", ReferenceExpression.Create($"ws://livekit.localhost:{frontDoorPort}"));
}

if (infrastructure.LiveKit?.Resource is ILiveKitResource)
{
    var liveKit = (IResourceBuilder<ILiveKitResource>)infrastructure.LiveKit;
    liveKit.WithWebhookReceiver(api, "/api/webhooks/livekit")
        .WithWebhookReceiver(recorder, "/webhooks/livekit");
}

// Apps
var web = builder.AddProject<Projects.Conference_Web>("web")
    .WithHttpEndpoint()
    .WithReference(api).WaitFor(api)
    // The sign-in cookie's keys, shared with the api.
    .WithReference(infrastructure.Redis).WaitFor(infrastructure.Redis)
    .WithExternalHttpEndpoints()
    .WithHttpHealthCheck("/health");

infrastructure.FrontDoor?.WithRoutes(web, api, infrastructure.LiveKit as IResourceBuilder<IResourceWithEndpoints>);

// The console says where the site is, and which part failed and why (not only the dashboard).
builder.AnnounceSite(web, infrastructure.FrontDoor);
builder.AddFailedResourceReporter();

builder.AddComposePublishing();
builder.Build().Run();
