using BenchmarkDotNet.Attributes;
using Conference.LiveKit;

namespace Conference.Benchmarks;

/// <summary>
/// The LiveKit work on a request path: minting a join token, verifying a token, receiving a webhook.
/// bench/livekit-node/bench.mjs measures the same three with LiveKit's Node SDK.
/// </summary>
[MemoryDiagnoser]
public class LiveKitBenchmarks
{
    const string ApiKey = "APIbenchmark";
    const string ApiSecret = "bench-secret-0123456789-abcdefghijkl";

    readonly TokenVerifier verifier = new(ApiKey, ApiSecret);
    WebhookReceiver receiver = null!;
    string joinToken = null!;
    byte[] webhookBody = null!;
    string webhookAuthorization = null!;

    [GlobalSetup]
    public void Setup()
    {
        receiver = new WebhookReceiver(verifier);
        joinToken = MintJoinToken();
        webhookBody = File.ReadAllBytes(Path.Combine(RepoRoot(), "bench", "livekit-node", "webhook-2kb.json"));
        webhookAuthorization = new AccessToken(ApiKey, ApiSecret)
            .WithSha256(Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(webhookBody)))
            .WithTtl(TimeSpan.FromMinutes(5))
            .ToJwt();
    }

    [Benchmark]
    public string MintJoinToken() => new AccessToken(ApiKey, ApiSecret)
        .WithIdentity("alice")
        .WithName("Alice")
        .WithGrants(new VideoGrants { RoomJoin = true, Room = "abc-defg-hij", CanPublish = true, CanSubscribe = true })
        .WithTtl(TimeSpan.FromMinutes(15))
        .ToJwt();

    [Benchmark]
    public TokenClaims VerifyToken() => verifier.Verify(joinToken);

    [Benchmark]
    public WebhookEvent ReceiveWebhook() => receiver.Receive(webhookBody, webhookAuthorization);

    static string RepoRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Conference.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Run the benchmarks from the repository (no Conference.slnx found).");
    }
}
