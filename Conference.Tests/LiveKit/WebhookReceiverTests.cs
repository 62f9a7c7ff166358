using System.Security.Cryptography;
using System.Text;
using Conference.LiveKit;

namespace Conference.Tests.LiveKit;

/// <summary>Webhooks signed the way the LiveKit server signs them are accepted; anything else is rejected with its reason.</summary>
public sealed class WebhookReceiverTests
{
    const string ApiKey = "APIwebhooks";
    const string ApiSecret = "webhook-secret-of-a-decent-length-0123";

    static readonly byte[] Body = Encoding.UTF8.GetBytes(LiveKitSamples.EgressEndedWebhook);

    static WebhookReceiver Receiver(TimeProvider? clock = null, string apiKey = ApiKey, string apiSecret = ApiSecret) =>
        new(new TokenVerifier(apiKey, apiSecret, clock));

    static async Task<string> SignWithNodeAsync(byte[] body) =>
        (await NodeSdk.RunAsync("tokens.mjs", new { op = "signWebhook", key = ApiKey, secret = ApiSecret, bodyBase64 = Convert.ToBase64String(body) }))
        ["authorization"]!.GetValue<string>();

    [Fact]
    public async Task Accepts_a_webhook_signed_like_LiveKit_without_Bearer()
    {
        var authorization = await SignWithNodeAsync(Body);
        Assert.DoesNotContain("Bearer", authorization);

        var webhook = await Receiver().ReceiveAsync(Body, authorization);

        Assert.Equal(WebhookEventNames.EgressEnded, webhook.Event);
        Assert.Equal("EV_3sdKQ4p4b8Jq", webhook.Id);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1700000071), webhook.CreatedAt);
        var egress = webhook.EgressInfo!;
        Assert.Equal(EgressStatus.Complete, egress.Status);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1700000010123).AddTicks(4567), egress.StartedAt);
        var file = Assert.Single(egress.FileResults);
        Assert.Equal(7340032, file.Size);
        Assert.Equal(TimeSpan.FromSeconds(60), file.Duration);
        Assert.Equal("http://minio:9000/recordings/rec/r1-2023.mp4", file.Location);
        Assert.True(Assert.Single(egress.RoomComposite!.FileOutputs!).S3!.ForcePathStyle);
    }

    [Fact]
    public async Task Accepts_the_header_with_Bearer_too()
    {
        var authorization = await SignWithNodeAsync(Body);
        Assert.Equal("EV_3sdKQ4p4b8Jq", Receiver().Receive(Body, $"Bearer {authorization}").Id);
    }

    [Fact]
    public async Task Rejects_a_changed_body()
    {
        var authorization = await SignWithNodeAsync(Body);
        var changed = Encoding.UTF8.GetBytes(LiveKitSamples.EgressEndedWebhook.Replace("7340032", "7340033"));
        Assert.Equal(WebhookRejection.BodyHashMismatch, RejectionOf(() => Receiver().Receive(changed, authorization)));
        // Even whitespace counts: the hash is over the exact bytes.
        Assert.Equal(WebhookRejection.BodyHashMismatch, RejectionOf(() => Receiver().Receive([.. Body, (byte)'\n'], authorization)));
    }

    [Fact]
    public async Task Rejects_an_unknown_key_and_a_wrong_secret()
    {
        var authorization = await SignWithNodeAsync(Body);
        Assert.Equal(WebhookRejection.UnknownKey, RejectionOf(() => Receiver(apiKey: "APIsomeoneelse").Receive(Body, authorization)));
        Assert.Equal(WebhookRejection.BadSignature, RejectionOf(() => Receiver(apiSecret: "not-the-secret").Receive(Body, authorization)));
    }

    [Fact]
    public async Task Rejects_an_expired_token()
    {
        var authorization = await SignWithNodeAsync(Body);
        var later = new ManualTimeProvider(DateTimeOffset.UtcNow.AddMinutes(7));
        Assert.Equal(WebhookRejection.Expired, RejectionOf(() => Receiver(later).Receive(Body, authorization)));
    }

    [Fact]
    public async Task Rejects_malformed_json_even_when_signed()
    {
        var body = Encoding.UTF8.GetBytes("""{"event":"room_started","room":""");
        var authorization = await SignWithNodeAsync(body);
        Assert.Equal(WebhookRejection.MalformedJson, RejectionOf(() => Receiver().Receive(body, authorization)));
    }

    [Theory]
    [InlineData("""{"event":"room_started","createdAt":true}""")]
    [InlineData("""{"event":"egress_ended","egressInfo":{"status":false}}""")]
    // Times DateTimeOffset cannot hold: an ArgumentOutOfRangeException, or a silent overflow, before.
    [InlineData("""{"event":"room_started","createdAt":"400000000000"}""")]
    [InlineData("""{"event":"room_started","createdAt":"9223372036854775807"}""")]
    [InlineData("[]")]
    [InlineData("null")]
    public void Rejects_json_of_the_wrong_shape(string json)
    {
        var body = Encoding.UTF8.GetBytes(json);
        var authorization = new AccessToken(ApiKey, ApiSecret).WithSha256(Convert.ToBase64String(SHA256.HashData(body))).ToJwt();
        Assert.Equal(WebhookRejection.MalformedJson, RejectionOf(() => Receiver().Receive(body, authorization)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void Rejects_a_missing_header(string? authorization) =>
        Assert.Equal(WebhookRejection.MissingAuthorization, RejectionOf(() => Receiver().Receive(Body, authorization)));

    [Fact]
    public void Rejects_a_token_without_a_body_hash()
    {
        var authorization = new AccessToken(ApiKey, ApiSecret).ToJwt();
        Assert.Equal(WebhookRejection.BodyHashMismatch, RejectionOf(() => Receiver().Receive(Body, authorization)));
    }

    [Theory]
    [InlineData("é")] // not ASCII
    [InlineData("==")] // longer (a SHA-256 in base64 ends in one =)
    [InlineData("")] // shorter
    public void Rejects_a_body_hash_that_differs_in_its_last_character(string last)
    {
        var hash = Convert.ToBase64String(SHA256.HashData(Body));
        var authorization = new AccessToken(ApiKey, ApiSecret).WithSha256(hash[..^1] + last).ToJwt();
        Assert.Equal(WebhookRejection.BodyHashMismatch, RejectionOf(() => Receiver().Receive(Body, authorization)));

        // The same token with the right hash passes, so the rejection is about the hash.
        Assert.Equal("EV_3sdKQ4p4b8Jq", Receiver().Receive(Body, new AccessToken(ApiKey, ApiSecret).WithSha256(hash).ToJwt()).Id);
    }

    public static TheoryData<string> EventNames => new(WebhookEventNames.All);

    [Theory]
    [MemberData(nameof(EventNames))]
    public async Task Reads_every_event_LiveKit_sends(string eventName)
    {
        var body = Encoding.UTF8.GetBytes($$"""{"event":"{{eventName}}","room":{"sid":"RM_1","name":"r1","numParticipants":1},"participant":{"identity":"alice","state":"ACTIVE","kind":"AGENT","joinedAt":"1700000005"},"track":{"sid":"TR_1","type":"AUDIO","source":"MICROPHONE"},"ingressInfo":{"ingressId":"IN_1","roomName":"r1"},"job":{"id":"AJ_1","agentName":"notes"},"id":"EV_{{eventName}}","createdAt":"1700000000","someFutureField":{"x":1} }""");
        var authorization = new AccessToken(ApiKey, ApiSecret).WithSha256(Convert.ToBase64String(SHA256.HashData(body))).WithTtl(TimeSpan.FromMinutes(5)).ToJwt();

        var webhook = await Receiver().ReceiveAsync(new MemoryStream(body), authorization);

        Assert.Equal(eventName, webhook.Event);
        Assert.Equal($"EV_{eventName}", webhook.Id);
        Assert.Equal(1u, webhook.Room!.NumParticipants);
        Assert.Equal(ParticipantKind.Agent, webhook.Participant!.Kind);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1700000005), webhook.Participant.JoinedAt);
        Assert.Equal(TrackSource.Microphone, webhook.Track!.Source);
        Assert.Equal("IN_1", webhook.IngressInfo!.IngressId);
        Assert.Equal("notes", webhook.Job!.AgentName);
    }

    [Fact]
    public void Reads_snake_case_and_unknown_enum_names_as_protojson_does()
    {
        var body = Encoding.UTF8.GetBytes("""{"event":"participant_left","participant":{"identity":"bob","disconnect_reason":"SOME_NEW_REASON","joined_at":1700000005},"created_at":"1700000000"}""");
        var authorization = new AccessToken(ApiKey, ApiSecret).WithSha256(Convert.ToBase64String(SHA256.HashData(body))).ToJwt();

        var webhook = Receiver().Receive(body, authorization);

        Assert.Equal("bob", webhook.Participant!.Identity);
        Assert.Equal(DisconnectReason.UnknownReason, webhook.Participant.DisconnectReason);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1700000005), webhook.Participant.JoinedAt);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1700000000), webhook.CreatedAt);
    }

    static WebhookRejection RejectionOf(Action receive) => Assert.Throws<WebhookException>(receive).Reason;
}
