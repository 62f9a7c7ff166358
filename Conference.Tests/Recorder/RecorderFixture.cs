using System.Net.Http.Json;
using System.Text.Json;
using Amazon.S3;
using Amazon.S3.Model;
using Conference.Api.Data;
using Conference.Api.Recordings;
using Conference.LiveKit;
using Conference.Recorder.Data;
using Conference.Recorder.Storage;
using Conference.Tests.Api;
using Conference.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Conference.Tests.Recorder;

/// <summary>
/// The api and the recorder together, as the AppHost wires them: one Postgres (a database each), one Redis, the
/// LiveKit emulator for the api, and s3rver as the bucket. The recorder's Egress calls go to an
/// <see cref="EgressStandIn"/>: its tests set egress states (a crash mid-recording, an egress LiveKit forgot, a
/// failed pipeline, no egress worker) that a real Egress, and so the emulator, cannot be told to produce. The api reaches the
/// recorder in memory; <see cref="ReplaceRecorderAsync"/> stops the recorder and starts another on the same data.
/// </summary>
public sealed class RecorderFixture : IAsyncLifetime
{
    readonly S3rverServer s3rver = new();

    public ApiFixture Platform { get; } = new();

    public EgressStandIn Egress { get; private set; } = null!;

    /// <summary>The Twirp endpoint <see cref="Egress"/> answers on, with every request the recorder made.</summary>
    public Conference.Tests.LiveKit.TwirpCaptureServer EgressService { get; private set; } = null!;

    public WebApplicationFactory<RecordingStore> Recorder { get; private set; } = null!;

    public WebApplicationFactory<ConferenceDbContext> Api { get; private set; } = null!;

    public string RecordingsConnectionString { get; private set; } = "";

    /// <summary>What the AppHost generates and gives both the api and the recorder.</summary>
    public string InternalKey { get; } = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24));

    /// <summary>The api's admin (site settings).</summary>
    public HttpClient Admin { get; private set; } = null!;

    public string StorageConnectionString => $"Endpoint={s3rver.Endpoint};Region=us-east-1;Bucket={s3rver.Bucket};AccessKey={S3rverServer.AccessKey};SecretKey={S3rverServer.SecretKey}";

    public async Task InitializeAsync()
    {
        await Task.WhenAll(Platform.InitializeAsync(), s3rver.InitializeAsync());
        EgressService = await Conference.Tests.LiveKit.TwirpCaptureServer.StartAsync();
        Egress = new EgressStandIn(EgressService);
        RecordingsConnectionString = await Platform.Postgres.CreateDatabaseAsync("recordings");
        Recorder = CreateRecorder();
        Recorder.CreateClient().Dispose();
        Api = Platform.CreateApi(
            new Dictionary<string, string?>
            {
                [RecorderClient.ConfigurationKey] = "http://recorder.test/",
                [Conference.Contracts.InternalApiKey.ConfigurationKey] = InternalKey,
            },
            services => services.AddHttpClient<RecorderClient>().ConfigurePrimaryHttpMessageHandler(() => new CurrentRecorderHandler(this)));
        Admin = await Platform.SignedInAdminAsync(Api);
    }

    /// <summary>Stops the running recorder; the next starts (with <paramref name="settings"/>) after <paramref name="whileDown"/>.</summary>
    public async Task ReplaceRecorderAsync(IDictionary<string, string?>? settings = null, Func<Task>? whileDown = null)
    {
        recorderDown = true;
        await Recorder.DisposeAsync();
        if (whileDown is not null)
        {
            await whileDown();
        }
        Recorder = CreateRecorder(settings);
        Recorder.CreateClient().Dispose();
        recorderDown = false;
    }

    /// <summary>Every call the api made to the recorder, as "METHOD /path?query", in order.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> RecorderCalls { get; } = new();

    /// <summary>Between stopping one recorder and starting the next, the api's calls fail as a refused connection does.</summary>
    volatile bool recorderDown;

    WebApplicationFactory<RecordingStore> CreateRecorder(IDictionary<string, string?>? settings = null) =>
        new WebApplicationFactory<RecordingStore>().WithWebHostBuilder(host =>
        {
            host.UseEnvironment("Testing");
            host.UseSetting("Logging:LogLevel:Default", "Warning");
            host.UseSetting("ConnectionStrings:recordings", RecordingsConnectionString);
            host.UseSetting("ConnectionStrings:redis", Platform.RedisConnectionString);
            host.UseSetting("ConnectionStrings:storage", StorageConnectionString);
            host.UseSetting("LiveKit:Url", EgressService.Url.ToString());
            host.UseSetting("LiveKit:ApiKey", ApiFixture.LiveKitApiKey);
            host.UseSetting("LiveKit:ApiSecret", Platform.LiveKitApiSecret);
            host.UseSetting(Conference.Contracts.InternalApiKey.ConfigurationKey, InternalKey);
            // Fast enough for tests to wait on: the reconciler runs five times a second.
            host.UseSetting("Recordings:ReconcileInterval", "00:00:00.200");
            host.UseSetting("Recordings:VerifyRetryDelay", "00:00:00.100");
            host.UseSetting("Recordings:MaxVerifyAttempts", "3");
            foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            {
                host.UseSetting(key, value);
            }
        });

    /// <summary>An S3 client with the recorder's own settings, for putting and reading objects as egress would.</summary>
    public AmazonS3Client Storage() => RecordingStorage.CreateClient(new ObjectStorageOptions
    {
        Endpoint = s3rver.Endpoint,
        Bucket = s3rver.Bucket,
        AccessKey = S3rverServer.AccessKey,
        SecretKey = S3rverServer.SecretKey,
    });

    public string Bucket => s3rver.Bucket;

    /// <summary>The bucket's endpoint: where presigned links point, so the page's policy must allow it for playback.</summary>
    public Uri StorageEndpoint => s3rver.Endpoint;

    /// <summary>Uploads what egress would, without aws-chunked framing (which s3rver would store inside the object).</summary>
    public async Task<byte[]> UploadRecordingFileAsync(string key, int size)
    {
        var bytes = new byte[size];
        Random.Shared.NextBytes(bytes);
        using var storage = Storage();
        await storage.PutObjectAsync(new PutObjectRequest
        {
            BucketName = Bucket,
            Key = key,
            InputStream = new MemoryStream(bytes),
            ContentType = "video/mp4",
            UseChunkEncoding = false,
        });
        return bytes;
    }

    /// <summary>Posts an egress webhook to the recorder, signed as LiveKit signs it, and records the state in the stand-in.</summary>
    public async Task PostEgressWebhookAsync(string eventName, EgressInfo egress, string? id = null)
    {
        var body = JsonSerializer.Serialize(new WebhookEvent
        {
            Event = eventName,
            EgressInfo = egress,
            Id = id ?? WebhookJson.NewId(),
            CreatedAt = DateTimeOffset.UtcNow,
        }, ProtoJson.CamelCase);
        using var client = Recorder.CreateClient();
        var response = await Platform.PostWebhookAsync(client, body, path: "/webhooks/livekit");
        response.EnsureSuccessStatusCode();
    }

    /// <summary>
    /// Starts a recording in <paramref name="slug"/> and takes it to Ready as egress would (file uploaded,
    /// egress_ended). <c>Bytes</c> is the file egress uploaded.
    /// </summary>
    public async Task<(Guid Id, string Key, byte[] Bytes)> ReadyRecordingAsync(HttpClient host, string slug)
    {
        var started = await host.PostAsJsonAsync($"/api/meetings/{slug}/recordings", new { });
        Assert.Equal(System.Net.HttpStatusCode.Created, started.StatusCode);
        var id = (await started.Content.ReadFromJsonAsync<RecordingAnswer>())!.Id;
        var egress = Egress.Latest(slug);
        var key = Egress.FileKey(egress.EgressId);
        var bytes = await UploadRecordingFileAsync(key, 10_000);
        await PostEgressWebhookAsync("egress_ended", Egress.Complete(egress.EgressId, bytes.Length, TimeSpan.FromSeconds(3)));
        Assert.Equal("Ready", (await host.GetRecordingAsync(id)).Status);
        return (id, key, bytes);
    }

    /// <summary>Reads a recording through the api until <paramref name="until"/> holds (the reconciler works in the background).</summary>
    public Task<RecordingAnswer> WaitForRecordingAsync(HttpClient client, Guid id, Func<RecordingAnswer, bool> until, string awaited) =>
        Eventually.ReadAsync(() => client.GetRecordingAsync(id), until, awaited);

    public async Task DisposeAsync()
    {
        await Recorder.DisposeAsync();
        await Platform.DisposeAsync();
        await s3rver.DisposeAsync();
        await EgressService.DisposeAsync();
    }

    /// <summary>Sends the api's calls to whichever recorder is running now, as service discovery would.</summary>
    sealed class CurrentRecorderHandler(RecorderFixture fixture) : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            fixture.RecorderCalls.Enqueue($"{request.Method} {request.RequestUri!.PathAndQuery}");
            if (fixture.recorderDown)
            {
                throw new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused (recorder.test:80)",
                    new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.ConnectionRefused));
            }
            using var invoker = new HttpMessageInvoker(fixture.Recorder.Server.CreateHandler(), disposeHandler: true);
            return await invoker.SendAsync(request, cancellationToken);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class RecorderCollection : ICollectionFixture<RecorderFixture>
{
    public const string Name = "Recorder";
}
