using System.Net.Http.Json;
using Conference.Api.Data;
using Conference.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Conference.Tests.Api;

/// <summary>
/// The api against a real PostgreSQL and Redis, and the LiveKit emulator for its calls to LiveKit's server API. One
/// database and one emulator per fixture (fixtures run in parallel, each on free ports); <see cref="CreateApi"/>
/// starts as many api instances on them as a test wants (two for the "stateless" tests).
/// </summary>
public sealed class ApiFixture : IAsyncLifetime
{
    readonly PostgresServer postgres = new();
    readonly RedisServer redis = new();
    readonly List<IAsyncDisposable> apis = [];

    public string DatabaseConnectionString { get; private set; } = "";

    /// <summary>The fixture's Postgres, for services that keep their own database on it (the recorder).</summary>
    public PostgresServer Postgres => postgres;
    public string RedisConnectionString => redis.ConnectionString;

    /// <summary>The fixture's Redis, for tests that stop and restart it.</summary>
    public RedisServer Redis => redis;

    public WebApplicationFactory<ConferenceDbContext> Api { get; private set; } = null!;

    /// <summary>The LiveKit the api calls (its RoomService; Egress for the recorder), holding the api's key.</summary>
    public LiveKitEmulator LiveKit { get; }

    public const string LiveKitApiKey = "conference-test";
    public string LiveKitApiSecret { get; } = System.Security.Cryptography.RandomNumberGenerator.GetHexString(40);

    public ApiFixture() => LiveKit = new LiveKitEmulator { ApiKey = LiveKitApiKey, ApiSecret = LiveKitApiSecret };

    /// <summary>What LiveKit knows of a room's participants (none when it has no such room).</summary>
    public async Task<IReadOnlyList<Conference.LiveKit.ParticipantInfo>> ParticipantsInAsync(string room)
    {
        try
        {
            return await LiveKit.RoomService().ListParticipantsAsync(new Conference.LiveKit.ListParticipantsRequest { Room = room });
        }
        catch (Conference.LiveKit.LiveKitException exception) when (exception.IsNotFound)
        {
            return [];
        }
    }

    /// <summary>Whether LiveKit has a room of that name open.</summary>
    public async Task<bool> RoomIsOpenAsync(string room) =>
        (await LiveKit.RoomService().ListRoomsAsync(new Conference.LiveKit.ListRoomsRequest { Names = [room] })).Any(r => r.Name == room);
    public const string PublicLiveKitUrl = "wss://livekit.example.org/";

    public async Task InitializeAsync()
    {
        await Task.WhenAll(postgres.InitializeAsync(), redis.InitializeAsync(), LiveKit.InitializeAsync());
        DatabaseConnectionString = await postgres.CreateDatabaseAsync("conference");
        Api = CreateApi();
        Api.CreateClient().Dispose(); // start it: migrations run before the first request
        // A fresh server has no admin and takes no sign-up without the setup code; become its admin the way an
        // operator does, with the code the api printed (read here from where it keeps it).
        using var client = Api.CreateClient();
        (await client.PostAsJsonAsync("/api/accounts/signup",
            new { email = AdminEmail, password = AdminPassword, displayName = "Ada Admin", setupCode = await ReadAdminSetupCodeAsync() })).EnsureSuccessStatusCode();
    }

    public const string AdminEmail = "admin@example.org";
    public const string AdminPassword = "correct horse battery";

    /// <summary>The setup code waiting in the database (null once claimed): what the api prints at start.</summary>
    public async Task<string?> ReadAdminSetupCodeAsync()
    {
        await using var connection = new Npgsql.NpgsqlConnection(DatabaseConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("SELECT \"AdminSetupCode\" FROM site_settings", connection);
        return await command.ExecuteScalarAsync() as string;
    }

    /// <summary>A client signed in (bearer) as the fixture's admin.</summary>
    public async Task<HttpClient> SignedInAdminAsync(WebApplicationFactory<ConferenceDbContext>? api = null)
    {
        var client = (api ?? Api).CreateClient();
        var signIn = await client.PostAsJsonAsync("/api/accounts/signin", new { email = AdminEmail, password = AdminPassword });
        signIn.EnsureSuccessStatusCode();
        client.DefaultRequestHeaders.Authorization = new("Bearer", (await signIn.Content.ReadFromJsonAsync<BearerToken>())!.AccessToken);
        return client;
    }

    public WebApplicationFactory<ConferenceDbContext> CreateApi(IDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? configureServices = null)
    {
        var api = new WebApplicationFactory<ConferenceDbContext>().WithWebHostBuilder(host =>
        {
            host.ConfigureServices(services =>
            {
                services.AddSingleton<IStartupFilter, ClientAddressFromHeader>();
                configureServices?.Invoke(services);
            });
            host.UseEnvironment("Testing");
            // Keep the test log readable: the api's own warnings and errors only.
            host.UseSetting("Logging:LogLevel:Default", "Warning");
            host.UseSetting("ConnectionStrings:conference", DatabaseConnectionString);
            host.UseSetting("ConnectionStrings:redis", RedisConnectionString);
            // Every test client shares one address here; RateLimitTests gives each client its own.
            host.UseSetting("RateLimits:SignInPerIpPerMinute", "100000");
            host.UseSetting("RateLimits:JoinPerIpPerMinute", "100000");
            host.UseSetting("RateLimits:SignInPerAccountAndIpPerMinute", "100000");
            host.UseSetting("RateLimits:JoinPerIpPerMeetingPerMinute", "100000");
            host.UseSetting("LiveKit:Url", LiveKit.HttpUrl.ToString());
            host.UseSetting("LiveKit:ApiKey", LiveKitApiKey);
            host.UseSetting("LiveKit:ApiSecret", LiveKitApiSecret);
            host.UseSetting("MediaServer:PublicUrl", PublicLiveKitUrl);
            // Tests run webhook maintenance passes themselves (WebhookMaintenance.RunOnceAsync); a timer's pass
            // in the middle of a test would count an extra attempt.
            host.UseSetting("Webhooks:RetryInterval", "01:00:00");
            // Likewise reconciling calls with LiveKit's rooms (CallReconciler.RunOnceAsync): the calls tests open by
            // webhook have no room in the emulator, and a timer's pass would end them mid-test.
            host.UseSetting("Webhooks:ReconcileInterval", "01:00:00");
            foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            {
                host.UseSetting(key, value);
            }
        });
        apis.Add(api);
        return api;
    }

    /// <summary>Signs up a new host (unique email) and returns a client carrying its bearer token.</summary>
    public async Task<HttpClient> SignedInHostAsync(WebApplicationFactory<ConferenceDbContext>? api = null, string? displayName = null)
    {
        var client = (api ?? Api).CreateClient();
        var email = $"host-{Guid.NewGuid():N}@example.org";
        var signUp = await client.PostAsJsonAsync("/api/accounts/signup", new { email, password = "correct horse battery", displayName = displayName ?? "Ada Host" });
        signUp.EnsureSuccessStatusCode();
        var signIn = await client.PostAsJsonAsync("/api/accounts/signin", new { email, password = "correct horse battery" });
        signIn.EnsureSuccessStatusCode();
        var token = (await signIn.Content.ReadFromJsonAsync<BearerToken>())!;
        client.DefaultRequestHeaders.Authorization = new("Bearer", token.AccessToken);
        return client;
    }

    /// <summary>A token verifier with the api's LiveKit key: what LiveKit itself would accept.</summary>
    public Conference.LiveKit.TokenVerifier LiveKitVerifier => new(LiveKitApiKey, LiveKitApiSecret);

    /// <summary>Posts a webhook signed the way LiveKit signs one: no "Bearer", a token whose sha256 is the body's hash.</summary>
    public async Task<HttpResponseMessage> PostWebhookAsync(HttpClient client, string body, string? secret = null,
        DateTimeOffset? signedAt = null, string? signedBody = null, string path = "/api/webhooks/livekit")
    {
        var hash = Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(signedBody ?? body)));
        var token = new Conference.LiveKit.AccessToken(LiveKitApiKey, secret ?? LiveKitApiSecret, new FixedClock(signedAt ?? DateTimeOffset.UtcNow))
            .WithSha256(hash)
            .WithTtl(TimeSpan.FromMinutes(5));
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new StringContent(body, System.Text.Encoding.UTF8, "application/webhook+json"),
        };
        request.Headers.TryAddWithoutValidation("Authorization", token.ToJwt());
        return await client.SendAsync(request);
    }

    public sealed record BearerToken(string TokenType, string AccessToken, int ExpiresIn, string RefreshToken);

    public async Task DisposeAsync()
    {
        foreach (var api in apis)
        {
            await api.DisposeAsync();
        }
        await Task.WhenAll(postgres.DisposeAsync(), redis.DisposeAsync());
        await LiveKit.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class ApiCollection : ICollectionFixture<ApiFixture>
{
    public const string Name = "Api";
}

/// <summary>The test server has no client address; this lets a test say which client it is (X-Test-Client-Ip).</summary>
sealed class ClientAddressFromHeader : IStartupFilter
{
    public const string Header = "X-Test-Client-Ip";

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((context, nextMiddleware) =>
        {
            context.Connection.RemoteIpAddress = System.Net.IPAddress.TryParse(context.Request.Headers[Header], out var address)
                ? address
                : System.Net.IPAddress.Loopback;
            return nextMiddleware(context);
        });
        next(app);
    };
}

sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
