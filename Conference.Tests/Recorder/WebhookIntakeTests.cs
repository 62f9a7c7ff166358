using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Conference.Tests.Api;

namespace Conference.Tests.Recorder;

/// <summary>
/// The api and the recorder take LiveKit's webhooks through one intake (Conference.LiveKit's WebhookIntake): the same
/// delivery gets the same answer from both, whatever is wrong with it.
/// </summary>
[Collection(RecorderCollection.Name)]
public sealed class WebhookIntakeTests(RecorderFixture fixture)
{
    const string ApiPath = "/api/webhooks/livekit";
    const string RecorderPath = "/webhooks/livekit";

    public static TheoryData<string> Deliveries => ["unsigned", "wrong secret", "body changed after signing", "not JSON", "no id", "no event name", "over 1 MB", "valid"];

    [Theory]
    [MemberData(nameof(Deliveries))]
    public async Task Api_and_recorder_answer_the_same_delivery_the_same_way(string delivery)
    {
        var id = WebhookJson.NewId();
        var valid = $$$"""{"event":"room_started","id":"{{{id}}}","createdAt":"{{{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}}}","room":{"sid":"RM_{{{id}}}","name":"no-such-room"}}""";
        var answers = new List<(HttpStatusCode Status, string? Title)>();
        foreach (var (client, path) in new[] { (fixture.Api.CreateClient(), ApiPath), (fixture.Recorder.CreateClient(), RecorderPath) })
        {
            using var response = delivery switch
            {
                "unsigned" => await client.PostAsync(path, new StringContent(valid, System.Text.Encoding.UTF8, "application/webhook+json")),
                "wrong secret" => await fixture.Platform.PostWebhookAsync(client, valid, secret: "not-the-secret-not-the-secret-0000", path: path),
                "body changed after signing" => await fixture.Platform.PostWebhookAsync(client, valid.Replace("room_started", "room_finished"), signedBody: valid, path: path),
                "not JSON" => await fixture.Platform.PostWebhookAsync(client, "{\"event\":", path: path),
                "no id" => await fixture.Platform.PostWebhookAsync(client, valid.Replace($"\"id\":\"{id}\",", ""), path: path),
                "no event name" => await fixture.Platform.PostWebhookAsync(client, valid.Replace("\"event\":\"room_started\",", ""), path: path),
                "over 1 MB" => await fixture.Platform.PostWebhookAsync(client, valid.Replace("no-such-room", new string('a', 1024 * 1024)), path: path),
                _ => await fixture.Platform.PostWebhookAsync(client, valid, path: path),
            };
            // Over 1 MB the api's server-wide body limit (RequestLimitsExtensions) answers 413 before the intake, in its own words.
            var title = response.IsSuccessStatusCode || delivery == "over 1 MB"
                ? null
                : (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString();
            answers.Add((response.StatusCode, title));
        }

        Assert.Equal(answers[0], answers[1]);
        Assert.Equal(delivery switch
        {
            "unsigned" or "wrong secret" or "body changed after signing" => HttpStatusCode.Unauthorized,
            "over 1 MB" => HttpStatusCode.RequestEntityTooLarge,
            "valid" => HttpStatusCode.OK,
            _ => HttpStatusCode.BadRequest,
        }, answers[0].Status);
    }
}
