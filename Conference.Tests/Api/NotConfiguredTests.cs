using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Conference.Tests.Infrastructure;

namespace Conference.Tests.Api;

/// <summary>
/// A server set up without LiveKit or without a recorder runs, and every use of the missing piece answers one 503
/// problem naming it, from one place (the accessors <c>MediaServer</c> and <c>RecorderService</c> throw, one
/// exception handler answers), whichever endpoint asked: webhooks intake, joining, recordings.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class NotConfiguredTests(ApiFixture fixture)
{
    [Fact]
    public async Task Without_LiveKit_webhooks_and_joining_answer_the_same_503_naming_the_media_server()
    {
        using var host = await fixture.SignedInHostAsync();
        var slug = await MeetingsApiTests.CreateAsync(host);
        var api = fixture.CreateApi(new Dictionary<string, string?> { ["LiveKit:Url"] = "" });
        using var client = api.CreateClient();

        using var webhook = new HttpRequestMessage(HttpMethod.Post, "/api/webhooks/livekit")
        {
            Content = new StringContent("""{"event":"room_started","id":"EV_x"}""", System.Text.Encoding.UTF8, "application/webhook+json"),
            Headers = { { "Authorization", "not-a-token" } },
        };
        var problems = new[]
        {
            await client.SendAsync(webhook),
            await client.PostAsJsonAsync($"/api/meetings/{slug}/join", new { displayName = "Gus Guest" }),
        };

        foreach (var response in problems)
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("Media server unavailable", problem.GetProperty("title").GetString());
            Assert.Contains("no media server (LiveKit) configured", problem.GetProperty("detail").GetString());
        }
    }

    [Fact]
    public async Task Without_a_recorder_every_recordings_endpoint_answers_the_same_503()
    {
        // This fixture's api has no recorder (Recorder:Url unset, no service-discovery entry).
        using var host = await fixture.SignedInHostAsync();
        var slug = await MeetingsApiTests.CreateAsync(host);

        var responses = new[]
        {
            await host.GetAsync($"/api/meetings/{slug}/recordings"),
            await host.PostAsJsonAsync($"/api/meetings/{slug}/recordings", new { }),
            await host.GetAsync("/api/recordings"),
            await host.GetAsync($"/api/recordings/{Guid.NewGuid()}"),
        };

        foreach (var response in responses)
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("Recording is not available", problem.GetProperty("title").GetString());
            Assert.Equal("This server has no recorder configured.", problem.GetProperty("detail").GetString());
        }
    }

    [Fact]
    public void Only_the_accessors_ask_whether_LiveKit_or_the_recorder_is_configured()
    {
        var api = Path.Combine(LocalMachine.RepositoryRoot, "Conference.Api");
        string[] accessors = ["MediaServer.cs", "RecorderService.cs"];
        var askers = Directory.EnumerateFiles(api, "*.cs", SearchOption.AllDirectories)
            .Where(file => !file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !accessors.Contains(Path.GetFileName(file)))
            .Where(file => Regex.IsMatch(File.ReadAllText(file), @"GetService<(RecorderClient|WebhookReceiver|JoinTokens|RoomServiceClient)>"))
            .Select(file => Path.GetRelativePath(api, file));
        Assert.Empty(askers);
    }
}
