using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Amazon.S3.Model;
using Conference.LiveKit;
using Conference.Tests.Api;
using Conference.Tests.Recorder;
using Microsoft.Playwright;

namespace Conference.Tests.Web;

/// <summary>The recordings library in Chromium, against the api and recorder with s3rver as the bucket.</summary>
[Collection(RecordingsWebCollection.Name)]
public sealed class RecordingsLibraryTests(RecordingsWebFixture fixture)
{
    /// <summary>A real, playable video made by the browser itself (MediaRecorder on a canvas), so no encoder is needed here.</summary>
    static async Task<byte[]> RecordVideoInBrowserAsync(IPage page) => Convert.FromBase64String(await page.EvaluateAsync<string>("""
        async () => {
          const canvas = Object.assign(document.createElement('canvas'), { width: 320, height: 180 });
          const context = canvas.getContext('2d');
          const stream = canvas.captureStream(15);
          const recorder = new MediaRecorder(stream, { mimeType: 'video/webm' });
          const chunks = [];
          recorder.ondataavailable = e => chunks.push(e.data);
          let frame = 0;
          const timer = setInterval(() => { context.fillStyle = `hsl(${frame++ * 12}, 70%, 50%)`; context.fillRect(0, 0, 320, 180); }, 60);
          recorder.start();
          await new Promise(resolve => setTimeout(resolve, 1500));
          const done = new Promise(resolve => recorder.onstop = resolve);
          recorder.stop();
          await done;
          clearInterval(timer);
          const bytes = new Uint8Array(await new Blob(chunks, { type: 'video/webm' }).arrayBuffer());
          let binary = '';
          for (const b of bytes) binary += String.fromCharCode(b);
          return btoa(binary);
        }
        """));

    async Task<HttpClient> HostClientAsync(string email)
    {
        var client = fixture.Recordings.Api.CreateClient();
        var signIn = await client.PostAsJsonAsync("/api/accounts/signin", new { email, password = WebJourney.Password });
        signIn.EnsureSuccessStatusCode();
        client.DefaultRequestHeaders.Authorization = new("Bearer", (await signIn.Content.ReadFromJsonAsync<ApiFixture.BearerToken>())!.AccessToken);
        return client;
    }

    async Task<(Guid Id, string EgressId)> StartRecordingAsync(HttpClient host, string slug)
    {
        var started = await host.PostAsJsonAsync($"/api/meetings/{slug}/recordings", new { layout = "grid" });
        Assert.Equal(HttpStatusCode.Created, started.StatusCode);
        var id = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var egressId = fixture.Recordings.Egress.Latest(slug).EgressId;
        await fixture.Recordings.PostEgressWebhookAsync("egress_started", fixture.Recordings.Egress.Set(egressId, e => e with { Status = EgressStatus.Active }));
        return (id, egressId);
    }

    [Fact]
    public async Task A_host_finds_plays_and_deletes_a_recording_stored_in_the_bucket()
    {
        var page = await fixture.Web.NewPageAsync();
        var email = await WebJourney.SignUpAsync(page, "Rae Host");
        var slug = await WebJourney.StartMeetingAsync(page, "Quarterly review");
        using var host = await HostClientAsync(email);

        // One recording that ended and was uploaded, one still recording.
        var (readyId, egressId) = await StartRecordingAsync(host, slug);
        (await host.PostAsync($"/api/meetings/{slug}/recordings/stop", null)).EnsureSuccessStatusCode();
        var video = await RecordVideoInBrowserAsync(page);
        using (var storage = fixture.Recordings.Storage())
        {
            await storage.PutObjectAsync(new PutObjectRequest
            {
                BucketName = fixture.Recordings.Bucket, Key = fixture.Recordings.Egress.FileKey(egressId), InputStream = new MemoryStream(video),
                ContentType = "video/webm", UseChunkEncoding = false,
            });
        }
        await fixture.Recordings.PostEgressWebhookAsync("egress_ended", fixture.Recordings.Egress.Complete(egressId, video.Length, TimeSpan.FromSeconds(1.5)));
        await fixture.Recordings.WaitForRecordingAsync(host, readyId, r => r.Status == "Ready", "the uploaded recording Ready");
        var (liveId, _) = await StartRecordingAsync(host, slug);

        await WebJourney.GotoInteractiveAsync(page, "recordings");
        var rows = page.Locator("li.recording-row");
        await Assertions.Expect(rows).ToHaveCountAsync(2);
        await Assertions.Expect(rows.Filter(new() { HasText = "Recording" }).Locator(".status-badge")).ToHaveTextAsync("Recording");
        var ready = rows.Filter(new() { Has = page.Locator(".status-success") });
        await Assertions.Expect(ready.Locator(".status-badge")).ToHaveTextAsync("Ready");
        await Assertions.Expect(ready.Locator(".recording-title a")).ToHaveTextAsync($"Quarterly review {slug}");
        await WebAppServer.ScreenshotAsync(page, "recordings-desktop");

        // Play: the presigned link from s3rver goes into a <video> the browser decodes.
        await ready.GetByRole(AriaRole.Button, new() { NameRegex = new("^Play") }).ClickAsync();
        var player = page.Locator("video");
        await Assertions.Expect(player).ToHaveAttributeAsync("src", new System.Text.RegularExpressions.Regex("X-Amz-Signature="));
        await page.WaitForFunctionAsync("() => { const v = document.querySelector('video'); return v && v.readyState >= 2 && v.videoWidth === 320; }");
        await WebAppServer.ScreenshotAsync(page, "recordings-playing-desktop");

        // The meeting's own list, at phone width.
        var phone = await fixture.Web.NewPageAsync(phone: true);
        await WebJourney.ShareSignInAsync(page, phone);
        await WebJourney.GotoInteractiveAsync(phone, $"m/{slug}/recordings");
        await Assertions.Expect(phone.Locator("li.recording-row")).ToHaveCountAsync(2);
        await WebAppServer.ScreenshotAsync(phone, "recordings-phone");

        // Delete asks first, then the recording and its file are gone.
        await ready.GetByRole(AriaRole.Button, new() { NameRegex = new("^Delete") }).ClickAsync();
        await page.Locator(".confirm-delete .button-danger").ClickAsync();
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        Assert.Equal(HttpStatusCode.NotFound, (await host.GetAsync($"/api/recordings/{readyId}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.GetAsync($"/api/recordings/{liveId}")).StatusCode);
    }
}

/// <summary>The recorder's fixture (api, recorder, s3rver, Egress stand-in) with the web app and Chromium in front.</summary>
public sealed class RecordingsWebFixture : IAsyncLifetime
{
    public RecorderFixture Recordings { get; } = new();

    public WebAppServer Web { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Recordings.InitializeAsync();
        Web = await WebAppServer.StartAsync(Recordings.Api, settings: new Dictionary<string, string> { ["Storage:Endpoint"] = Recordings.StorageEndpoint.ToString() });
    }

    public async Task DisposeAsync()
    {
        if (Web is not null)
        {
            await Web.DisposeAsync();
        }
        await Recordings.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class RecordingsWebCollection : ICollectionFixture<RecordingsWebFixture>
{
    public const string Name = "RecordingsWeb";
}
