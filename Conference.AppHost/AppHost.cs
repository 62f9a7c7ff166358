using Conference.AppHost;
using Conference.AppHost.Caddy;
using Conference.AppHost.Diagnostics;
using Conference.AppHost.LiveKit;
using Conference.AppHost.Mail;
using Conference.AppHost.Processes;

var builder = DistributedApplication.CreateBuilder(args);
var variant = builder.GetRuntimeVariant();

// Secrets and deployment settings (StackParameters.cs): user secrets while developing, the .env file in production.
var parameters = builder.AddStackParameters();

// Infrastructure: containers where an engine answers (and always when publishing), local processes otherwise.
// Both give the same pieces; what follows wires them the same way.
var infrastructure = variant == RuntimeVariant.Containers
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
    // The recorder names the bucket's endpoint in each egress request, and Egress uploads from inside its container.
    .WithOptionalEnvironment("Storage__EgressEndpoint", infrastructure.EgressStorageEndpoint)
    .WithHttpHealthCheck("/health");

var api = builder.AddProject<Projects.Conference_Api>("api")
    .WithHttpEndpoint()
    .WithReference(infrastructure.ConferenceDatabase).WaitFor(infrastructure.ConferenceDatabase)
    .WithReference(infrastructure.Redis).WaitFor(infrastructure.Redis)
    .WithOptionalReference(infrastructure.LiveKit)
    // Recordings go through the api's authorisation to the recorder; the api runs (and answers 503) without it.
    .WithReference(recorder)
    .WithInternalKey(recorder, recorderInternalKey)
    .WithHttpHealthCheck("/health");
// Where browsers reach LiveKit's signalling when that is not the address the services call it on. The api hands it
// out with join tokens; the web's and Caddy's Content-Security-Policy (connect-src) allow exactly its origin, and the
// same origin over HTTP (where livekit-client asks why a connection failed).
var liveKitPublicUrl = builder.LiveKitPublicUrl(parameters, infrastructure);
if (liveKitPublicUrl is not null)
{
    api.WithEnvironment("MediaServer__PublicUrl", liveKitPublicUrl);
    infrastructure.FrontDoor?.WithEnvironment("LIVEKIT_PUBLIC_ORIGIN", liveKitPublicUrl)
        .WithEnvironment("LIVEKIT_PUBLIC_HTTP_ORIGIN", builder.LiveKitPublicUrl(parameters, infrastructure, http: true)!);
}

// LiveKit posts its signed webhooks to both: the api keeps who is in which meeting, the recorder its egresses.
infrastructure.LiveKit?
    .WithWebhookReceiver(api, "/api/webhooks/livekit")
    .WithWebhookReceiver(recorder, "/webhooks/livekit");

// Apps
var web = builder.AddProject<Projects.Conference_Web>("web")
    .WithHttpEndpoint()
    .WithReference(api).WaitFor(api)
    // The sign-in cookie's keys, shared with the api.
    .WithReference(infrastructure.Redis).WaitFor(infrastructure.Redis)
    // The page's Content-Security-Policy names the two origins it loads media from, as Caddy's does.
    .WithOptionalEnvironment("MediaServer__PublicUrl", liveKitPublicUrl ?? infrastructure.LiveKit?.Resource.DirectWebSocketUrl())
    .WithOptionalEnvironment("Storage__Endpoint", infrastructure.PublicStorageEndpoint)
    // glibc's malloc keeps up to 8 arenas a core, each holding on to what its threads freed; two are plenty for the
    // web's native allocations (deflate, TLS, the runtime's own) and took ~7 MB off its RSS in a call (bench/README.md).
    .WithEnvironment("MALLOC_ARENA_MAX", "2")
    .WithExternalHttpEndpoints()
    .WithHttpHealthCheck("/health");

// Mail (invitations, reminders, password reset): maildev with its web inbox while developing, the operator's SMTP
// server in production. Links in mail point at the site as people reach it.
api.WithMail(builder.AddMail(variant), builder.SiteUrl(parameters, web, infrastructure.FrontDoor));

// The front door: the site to web, /api to the api, livekit.DOMAIN to LiveKit.
infrastructure.FrontDoor?.WithRoutes(web, api, infrastructure.LiveKit);

// The console says where the site is, the first admin's setup code, and which part failed and why (not only the dashboard).
builder.AnnounceSite(web, infrastructure.FrontDoor);
builder.AnnounceAdminSetupCode(api);
builder.AddFailedResourceReporter();

builder.AddComposePublishing();
builder.Build().Run();
