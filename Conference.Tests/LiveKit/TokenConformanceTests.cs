using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Conference.LiveKit;

namespace Conference.Tests.LiveKit;

/// <summary>Our tokens and LiveKit's Node SDK tokens are interchangeable, with production and development secrets.</summary>
public sealed class TokenConformanceTests
{
    const string ApiKey = "APIxK3bG7yQ2mN";

    public static TheoryData<string> Secrets => new(
        "secret", // livekit-server --dev: 6 bytes, too short for Microsoft.IdentityModel
        "h8Fq2LrX9vT4kWc7Zp1NsB6dYe3JgA5mUo0RiHtQ");

    static readonly Dictionary<string, string> Attributes = new() { ["role"] = "host", ["team"] = "blue" };

    /// <summary>The same join token as input to the Node SDK (tokens.mjs mint).</summary>
    static object NodeMint(string secret) => new
    {
        op = "mint", key = ApiKey, secret, identity = "alice", name = "Alice", metadata = """{"avatar":"a.png"}""",
        attributes = Attributes, ttlSeconds = 900, kind = "agent",
        video = new
        {
            roomJoin = true, room = "abc-defg-hij", canPublish = true, canSubscribe = true, canPublishData = false,
            canPublishSources = new[] { "camera", "microphone", "screen_share" }, canUpdateOwnMetadata = true,
        },
        roomConfig = new { name = "abc-defg-hij", emptyTimeout = 300, maxParticipants = 20, agents = new[] { new { agentName = "notes" } } },
    };

    static string OurMint(string secret) => new AccessToken(ApiKey, secret)
        .WithIdentity("alice").WithName("Alice").WithMetadata("""{"avatar":"a.png"}""").WithAttributes(Attributes)
        .WithKind(ParticipantKind.Agent)
        .WithGrants(new VideoGrants
        {
            RoomJoin = true, Room = "abc-defg-hij", CanPublish = true, CanSubscribe = true, CanPublishData = false,
            CanPublishSources = [TrackSource.Camera, TrackSource.Microphone, TrackSource.ScreenShare], CanUpdateOwnMetadata = true,
        })
        .WithRoomConfig(new RoomConfiguration { Name = "abc-defg-hij", EmptyTimeout = 300, MaxParticipants = 20, Agents = [new() { AgentName = "notes" }] })
        .WithTtl(TimeSpan.FromSeconds(900))
        .ToJwt();

    [Theory]
    [MemberData(nameof(Secrets))]
    public async Task Our_token_verifies_in_the_Node_sdk_with_identical_claims(string secret)
    {
        var ours = OurMint(secret);
        var nodeToken = (await NodeSdk.RunAsync("tokens.mjs", NodeMint(secret)))["token"]!.GetValue<string>();

        var ourClaims = await NodeVerifyAsync(ours, secret);
        var nodeClaims = await NodeVerifyAsync(nodeToken, secret);

        Assert.Equal(900, ourClaims["exp"]!.GetValue<long>() - ourClaims["nbf"]!.GetValue<long>());
        Assert.Equal(WithoutTimes(nodeClaims), WithoutTimes(ourClaims));
    }

    [Theory]
    [MemberData(nameof(Secrets))]
    public async Task Node_sdk_token_verifies_in_ours_with_the_same_claims(string secret)
    {
        var nodeToken = (await NodeSdk.RunAsync("tokens.mjs", NodeMint(secret)))["token"]!.GetValue<string>();

        var claims = new TokenVerifier(ApiKey, secret).Verify(nodeToken);

        var nodeClaims = await NodeVerifyAsync(nodeToken, secret);
        var ourClaimsJson = JsonSerializer.Serialize(claims, TokenJsonContext.Default.TokenClaims);
        Assert.Equal(Sorted(nodeClaims), Sorted(JsonNode.Parse(ourClaimsJson)!));
        Assert.Equal("alice", claims.Identity);
        Assert.Equal([TrackSource.Camera, TrackSource.Microphone, TrackSource.ScreenShare], claims.Video!.CanPublishSources);
        Assert.False(claims.Video.CanPublishData);
        Assert.Null(claims.Video.Hidden);
    }

    [Fact]
    public async Task Node_sdk_rejects_our_token_signed_with_another_secret()
    {
        var result = await NodeSdk.RunAsync("tokens.mjs", new { op = "verify", key = ApiKey, secret = "another-secret", token = OurMint("secret") });
        Assert.Contains("signature", result["error"]!.GetValue<string>());
    }

    [Fact]
    public void Unset_booleans_are_left_out_and_sources_are_lower_case()
    {
        var jwt = new AccessToken(ApiKey, "secret")
            .WithIdentity("bob")
            .WithGrants(new VideoGrants { RoomJoin = true, Room = "r", CanPublishSources = [TrackSource.ScreenShareAudio] })
            .ToJwt();

        var payload = JsonNode.Parse(Base64UrlDecode(jwt.Split('.')[1]))!.AsObject();
        Assert.Equal("""{"roomJoin":true,"room":"r","canPublishSources":["screen_share_audio"]}""", payload["video"]!.ToJsonString());
        Assert.Equal(["exp", "iss", "nbf", "sub", "video"], payload.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal(TimeSpan.FromHours(6).TotalSeconds, payload["exp"]!.GetValue<long>() - payload["nbf"]!.GetValue<long>());
    }

    [Fact]
    public void Every_grant_and_claim_survives_mint_and_verify()
    {
        var grants = new VideoGrants
        {
            RoomCreate = true, RoomList = false, RoomRecord = true, RoomAdmin = true, RoomJoin = true, Room = "r1",
            CanPublish = false, CanSubscribe = true, CanPublishData = true,
            CanPublishSources = [TrackSource.Camera, TrackSource.Microphone, TrackSource.ScreenShare, TrackSource.ScreenShareAudio],
            CanUpdateOwnMetadata = true, IngressAdmin = true, Hidden = true, Recorder = true, Agent = false,
            CanSubscribeMetrics = true, CanManageAgentSession = true, DestinationRoom = "r2",
        };
        Assert.All(typeof(VideoGrants).GetProperties(), property => Assert.NotNull(property.GetValue(grants)));
        var roomConfig = new RoomConfiguration
        {
            Name = "r1", EmptyTimeout = 1, DepartureTimeout = 2, MaxParticipants = 3, Metadata = "m", MinPlayoutDelay = 4,
            MaxPlayoutDelay = 5, SyncStreams = true, Agents = [new() { AgentName = "a", Metadata = "am" }],
            Tags = new Dictionary<string, string> { ["t"] = "v" },
        };

        var jwt = new AccessToken(ApiKey, "secret").WithIdentity("alice").WithName("Alice").WithMetadata("md")
            .WithAttributes(Attributes).WithKind(ParticipantKind.Sip).WithGrants(grants).WithRoomConfig(roomConfig)
            .WithRoomPreset("preset").WithSha256("abc=").ToJwt();
        var claims = new TokenVerifier(ApiKey, "secret").Verify(jwt);

        Assert.Equal(JsonSerializer.Serialize(grants), JsonSerializer.Serialize(claims.Video));
        Assert.Equal(JsonSerializer.Serialize(roomConfig), JsonSerializer.Serialize(claims.RoomConfig));
        Assert.Equal(Attributes, claims.Attributes);
        Assert.Equal(("alice", "Alice", "md", "sip", "preset", "abc=", ApiKey),
            (claims.Identity, claims.Name, claims.Metadata, claims.Kind, claims.RoomPreset, claims.Sha256, claims.Issuer));
    }

    [Fact]
    public void A_join_token_needs_an_identity() =>
        Assert.Throws<InvalidOperationException>(() => new AccessToken(ApiKey, "secret").WithGrants(new VideoGrants { RoomJoin = true, Room = "r" }).ToJwt());

    [Fact]
    public void Verifier_allows_one_minute_of_clock_skew()
    {
        var issued = DateTimeOffset.UtcNow;
        var jwt = new AccessToken(ApiKey, "secret").WithNotBefore(issued).WithTtl(TimeSpan.FromMinutes(5)).ToJwt();
        var clock = new ManualTimeProvider(issued.AddMinutes(5).AddSeconds(50));
        var verifier = new TokenVerifier(ApiKey, "secret", clock);

        Assert.NotNull(verifier.Verify(jwt));
        clock.Now = issued.AddMinutes(6).AddSeconds(10);
        Assert.Equal(TokenRejection.Expired, Assert.Throws<TokenVerificationException>(() => verifier.Verify(jwt)).Reason);
        clock.Now = issued.AddSeconds(-70);
        Assert.Equal(TokenRejection.NotYetValid, Assert.Throws<TokenVerificationException>(() => verifier.Verify(jwt)).Reason);
    }

    [Fact]
    public void Verifier_rejects_what_LiveKit_rejects()
    {
        var verifier = new TokenVerifier(ApiKey, "secret");
        var jwt = new AccessToken(ApiKey, "secret").ToJwt();
        var parts = jwt.Split('.');

        Assert.Equal(TokenRejection.BadSignature, RejectionOf(verifier, new AccessToken(ApiKey, "other").ToJwt()));
        Assert.Equal(TokenRejection.BadSignature, RejectionOf(verifier, $"{parts[0]}.{parts[1]}.{parts[2][..^2]}AA"));
        Assert.Equal(TokenRejection.UnknownKey, RejectionOf(verifier, new AccessToken("APIother", "secret").ToJwt()));
        Assert.Equal(TokenRejection.Malformed, RejectionOf(verifier, "not-a-token"));
        Assert.Equal(TokenRejection.MissingExpiry, RejectionOf(verifier, HandSigned("""{"alg":"HS256","typ":"JWT"}""", $$"""{"iss":"{{ApiKey}}","sub":"eve"}""")));
        Assert.Equal(TokenRejection.Malformed, RejectionOf(verifier, HandSigned("""{"alg":"HS256"}""", $$"""{"iss":"{{ApiKey}}","exp":"soon"}""")));
        Assert.Equal(TokenRejection.Malformed, RejectionOf(verifier, HandSigned("""{"alg":"HS256"}""", $$"""{"iss":"{{ApiKey}}","exp":9999999999,"video":{"canPublishSources":[1]} }""")));
        Assert.Equal(TokenRejection.UnsupportedAlgorithm, RejectionOf(verifier, HandSigned("""{"alg":"none"}""", $$"""{"iss":"{{ApiKey}}","exp":9999999999}""")));
        Assert.Equal(TokenRejection.Malformed, RejectionOf(verifier, HandSigned("""{"alg":"HS256"}""", $$"""{"iss":"{{ApiKey}}","exp":1e300}""")));
        Assert.Equal(TokenRejection.Malformed, RejectionOf(verifier, HandSigned("""{"alg":"HS256"}""", $$$"""{"iss":"{{{ApiKey}}}","exp":9999999999,"video":{"roomJoin":"yes"}}""")));
        Assert.Equal(TokenRejection.Malformed, RejectionOf(verifier, HandSigned("""{"alg":"HS256"}""", $$"""{"iss":"{{ApiKey}}","exp":9999999999,"name":7}""")));
        Assert.Equal(TokenRejection.Malformed, RejectionOf(verifier, HandSigned("""{"alg":"HS256"}""", $$"""{"iss":"{{ApiKey}}","exp":9999999999}{}""")));
        Assert.Equal(TokenRejection.Malformed, RejectionOf(verifier, HandSigned("""{"alg":"HS256"}""", $$"""["{{ApiKey}}"]""")));
    }

    [Fact]
    public void Claims_the_verifier_does_not_know_are_skipped_and_escaped_names_are_read()
    {
        var verifier = new TokenVerifier(ApiKey, "secret");
        var claims = verifier.Verify(HandSigned("""{"alg":"HS256"}""",
            $$$"""{"jti":"x","sip":{"admin":true,"call":[1,{"a":null}]},"iss":"{{{ApiKey}}}","exp":9999999999.5,"\u0073ub":"ada","video":{"future":{"x":[1]},"roomJoin":true,"room":"r"}}"""));

        Assert.Equal("ada", claims.Identity);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(9999999999), claims.ExpiresAt);
        Assert.Equal(new VideoGrants { RoomJoin = true, Room = "r" }, claims.Video);
    }

    static TokenRejection RejectionOf(TokenVerifier verifier, string jwt) =>
        Assert.Throws<TokenVerificationException>(() => verifier.Verify(jwt)).Reason;

    static string HandSigned(string header, string payload)
    {
        var signed = $"{Base64UrlEncode(Encoding.UTF8.GetBytes(header))}.{Base64UrlEncode(Encoding.UTF8.GetBytes(payload))}";
        return $"{signed}.{Base64UrlEncode(HMACSHA256.HashData("secret"u8, Encoding.ASCII.GetBytes(signed)))}";
    }

    static string Base64UrlEncode(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    static byte[] Base64UrlDecode(string text) =>
        Convert.FromBase64String(text.Replace('-', '+').Replace('_', '/').PadRight(text.Length + (4 - text.Length % 4) % 4, '='));

    static async Task<JsonNode> NodeVerifyAsync(string token, string secret)
    {
        var result = await NodeSdk.RunAsync("tokens.mjs", new { op = "verify", key = ApiKey, secret, token });
        return result["claims"] ?? throw new Xunit.Sdk.XunitException($"Node SDK rejected the token: {result["error"]}");
    }

    static string WithoutTimes(JsonNode claims)
    {
        var copy = claims.DeepClone().AsObject();
        copy.Remove("nbf");
        copy.Remove("exp");
        return Sorted(copy);
    }

    static string Sorted(JsonNode node) => node switch
    {
        JsonObject obj => "{" + string.Join(",", obj.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"\"{p.Key}\":{Sorted(p.Value!)}")) + "}",
        JsonArray array => "[" + string.Join(",", array.Select(item => Sorted(item!))) + "]",
        _ => node.ToJsonString(),
    };
}
