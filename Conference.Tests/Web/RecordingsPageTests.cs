using System.Net;
using Bunit;
using Conference.Web.Components.Recordings;

namespace Conference.Tests.Web;

public sealed class RecordingsPageTests : WebComponentTest
{
    public RecordingsPageTests() => RenderInteractively();

    static readonly Guid ReadyId = Guid.Parse("0197a000-0000-7000-8000-000000000001");
    static readonly Guid FailedId = Guid.Parse("0197a000-0000-7000-8000-000000000002");
    static readonly Guid ProcessingId = Guid.Parse("0197a000-0000-7000-8000-000000000003");

    static object Recording(Guid id, string status, string? error = null, string slug = "abc-defg-hij", string? title = "Design review") => new
    {
        id, meetingSlug = slug, meetingTitle = title, status, layout = "speaker", audioOnly = false,
        startedAt = DateTimeOffset.Parse("2026-11-26T10:00:00Z"), endedAt = DateTimeOffset.Parse("2026-11-26T10:12:05Z"),
        durationSeconds = 725.0, sizeBytes = 48_300_000L, error,
    };

    void StubAllMine() => Api.On("GET", "/api/recordings", new
    {
        items = new[] { Recording(ReadyId, "Ready"), Recording(FailedId, "Failed", "Egress could not upload the file."), Recording(ProcessingId, "Processing") },
        nextCursor = (string?)null,
    });

    [Fact]
    public void Lists_every_recording_with_its_status_and_facts()
    {
        StubAllMine();

        var page = Render<RecordingsPage>();

        page.WaitForAssertion(() => Assert.Equal(3, page.FindAll("li.recording-row").Count));
        var rows = page.FindAll("li.recording-row");
        Assert.Contains("Ready", rows[0].QuerySelector(".status-badge")!.TextContent);
        Assert.Contains("12 min 5 s · 48.3 MB · speaker layout", rows[0].TextContent);
        Assert.Contains("Failed", rows[1].QuerySelector(".status-badge")!.TextContent);
        Assert.Contains("Egress could not upload the file.", rows[1].TextContent);
        Assert.Contains("Processing", rows[2].QuerySelector(".status-badge")!.TextContent);
        // Only a ready recording can be played or downloaded.
        Assert.NotNull(rows[0].QuerySelector("button[aria-label^='Play']"));
        Assert.Null(rows[1].QuerySelector("button[aria-label^='Play']"));
        Assert.Null(rows[2].QuerySelector("button[aria-label^='Download']"));
    }

    [Fact]
    public void Each_recording_is_named_by_its_meetings_title_with_the_code_beside_it_or_the_code_alone_once_deleted()
    {
        Api.On("GET", "/api/recordings", new
        {
            items = new[]
            {
                Recording(ReadyId, "Ready", slug: "abc-defg-hij", title: "Design review"),
                Recording(FailedId, "Ready", slug: "xyz-abcd-efg", title: "Weekly sync"),
                Recording(ProcessingId, "Ready", slug: "gon-egon-ego", title: null),
            },
            nextCursor = (string?)null,
        });
        Api.On("GET", $"/api/recordings/{FailedId}/download", new { url = "http://s3.test/recordings/b.mp4?X-Amz-Signature=abc", expiresAt = DateTimeOffset.UtcNow.AddMinutes(10) });

        var page = Render<RecordingsPage>();

        page.WaitForAssertion(() => Assert.Equal(3, page.FindAll("li.recording-row").Count));
        var rows = page.FindAll("li.recording-row");
        var title = rows[0].QuerySelector(".recording-title a")!;
        Assert.Equal("m/abc-defg-hij/recordings", title.GetAttribute("href"));
        Assert.Equal("Design review abc-defg-hij", title.TextContent.Trim());
        Assert.Equal("abc-defg-hij", title.QuerySelector("code")!.TextContent);
        Assert.Equal("Play recording of Design review (abc-defg-hij)", rows[0].QuerySelector("button[aria-label^='Play']")!.GetAttribute("aria-label"));
        Assert.Equal("Download recording of Weekly sync (xyz-abcd-efg)", rows[1].QuerySelector("button[aria-label^='Download']")!.GetAttribute("aria-label"));
        Assert.Equal("Delete recording of Weekly sync (xyz-abcd-efg)", rows[1].QuerySelector("button[aria-label^='Delete']")!.GetAttribute("aria-label"));
        // The meeting was deleted: its code is all there is.
        Assert.Equal("gon-egon-ego", rows[2].QuerySelector(".recording-title a")!.TextContent.Trim());
        Assert.Equal("Play recording of gon-egon-ego", rows[2].QuerySelector("button[aria-label^='Play']")!.GetAttribute("aria-label"));

        rows[1].QuerySelector("button[aria-label^='Play']")!.Click();

        page.WaitForAssertion(() => Assert.StartsWith("Playing: Weekly sync xyz-abcd-efg,", page.Find("#player-heading").TextContent));
    }

    [Fact]
    public void A_meetings_page_names_the_meeting_by_its_title_beside_its_code()
    {
        Api.On("GET", "/api/meetings/abc-defg-hij/recordings?limit=20", new { items = new[] { Recording(ReadyId, "Ready") }, nextCursor = (string?)null });

        var page = Render<RecordingsPage>(parameters => parameters.Add(p => p.Slug, "abc-defg-hij"));

        page.WaitForAssertion(() => Assert.StartsWith("Meeting Design review abc-defg-hij", page.Find(".page-header p").TextContent));
        Assert.Equal("Play recording of Design review (abc-defg-hij)", page.Find("button[aria-label^='Play']").GetAttribute("aria-label"));
    }

    [Fact]
    public void Play_puts_the_presigned_file_in_a_video_element()
    {
        StubAllMine();
        Api.On("GET", $"/api/recordings/{ReadyId}/download", new { url = "http://s3.test/recordings/a.mp4?X-Amz-Signature=abc", expiresAt = DateTimeOffset.UtcNow.AddMinutes(10) });
        var page = Render<RecordingsPage>();
        page.WaitForAssertion(() => Assert.Equal(3, page.FindAll("li.recording-row").Count));

        page.Find("button[aria-label^='Play']").Click();

        page.WaitForAssertion(() => Assert.Equal("http://s3.test/recordings/a.mp4?X-Amz-Signature=abc", page.Find("video").GetAttribute("src")));
        Assert.True(page.Find("video").HasAttribute("controls"));
    }

    [Fact]
    public void Delete_asks_first_then_removes_the_recording()
    {
        StubAllMine();
        Api.On("DELETE", $"/api/recordings/{ReadyId}", null, HttpStatusCode.NoContent);
        var page = Render<RecordingsPage>();
        page.WaitForAssertion(() => Assert.Equal(3, page.FindAll("li.recording-row").Count));

        page.FindAll("li.recording-row")[0].QuerySelector("button[aria-label^='Delete']")!.Click();
        Assert.Empty(Api.Seen("DELETE", $"/api/recordings/{ReadyId}"));
        page.Find(".confirm-delete .button-danger").Click();

        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("li.recording-row").Count));
        Assert.Single(Api.Seen("DELETE", $"/api/recordings/{ReadyId}"));
    }

    [Fact]
    public void A_refused_delete_keeps_the_recording_and_says_why()
    {
        StubAllMine();
        Api.OnProblem("DELETE", $"/api/recordings/{ReadyId}", HttpStatusCode.Forbidden, "Not allowed", "Only the meeting's host can delete its recordings.");
        var page = Render<RecordingsPage>();
        page.WaitForAssertion(() => Assert.Equal(3, page.FindAll("li.recording-row").Count));

        page.FindAll("li.recording-row")[0].QuerySelector("button[aria-label^='Delete']")!.Click();
        page.Find(".confirm-delete .button-danger").Click();

        page.WaitForAssertion(() => Assert.Contains("Only the meeting's host can delete its recordings.", page.Find("[role=alert]").TextContent));
        Assert.Equal(3, page.FindAll("li.recording-row").Count);
    }

    [Fact]
    public void A_meetings_page_asks_for_that_meetings_recordings_and_pages_on()
    {
        Api.On("GET", "/api/meetings/abc-defg-hij/recordings?limit=20", new { items = new[] { Recording(ReadyId, "Ready") }, nextCursor = "c2" });
        Api.On("GET", "/api/meetings/abc-defg-hij/recordings?cursor=c2&limit=20", new { items = new[] { Recording(FailedId, "Failed") }, nextCursor = (string?)null });

        var page = Render<RecordingsPage>(parameters => parameters.Add(p => p.Slug, "abc-defg-hij"));
        page.WaitForAssertion(() => Assert.Single(page.FindAll("li.recording-row")));
        page.Find("button:contains('Show older recordings')").Click();

        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("li.recording-row").Count));
        Assert.Empty(page.FindAll("button:contains('Show older recordings')"));
    }

    [Fact]
    public void An_empty_library_explains_where_recordings_come_from()
    {
        Api.On("GET", "/api/recordings", new { items = Array.Empty<object>(), nextCursor = (string?)null });

        var page = Render<RecordingsPage>();

        page.WaitForAssertion(() => Assert.Contains("No recordings yet", page.Markup));
    }

    [Fact]
    public async Task A_recording_that_becomes_ready_shows_so_when_the_recorder_announces_it_and_loaded_pages_stay()
    {
        const string First = "/api/meetings/abc-defg-hij/recordings?limit=20";
        Api.On("GET", First, new { items = new[] { Recording(ProcessingId, "Processing") }, nextCursor = "c2" });
        Api.On("GET", "/api/meetings/abc-defg-hij/recordings?cursor=c2&limit=20", new { items = new[] { Recording(FailedId, "Failed") }, nextCursor = (string?)null });
        var page = Render<RecordingsPage>(parameters => parameters.Add(p => p.Slug, "abc-defg-hij"));
        page.WaitForAssertion(() => Assert.Single(page.FindAll("li.recording-row")));
        page.Find("button:contains('Show older recordings')").Click();
        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("li.recording-row").Count));

        // The recorder verified the file; a new recording started meanwhile.
        Api.On("GET", First, new { items = new[] { Recording(ReadyId, "Recording"), Recording(ProcessingId, "Ready") }, nextCursor = "c2" });
        await Notifications.NotifyAsync(new MeetingChange("other-meet-ing", MeetingChangeKind.Recording)); // another meeting's
        Assert.Single(Api.Seen("GET", "/api/meetings/abc-defg-hij/recordings"), r => !r.PathAndQuery.Contains("cursor"));
        await Notifications.NotifyAsync(new MeetingChange("abc-defg-hij", MeetingChangeKind.Recording));

        page.WaitForAssertion(() => Assert.Equal(3, page.FindAll("li.recording-row").Count));
        var rows = page.FindAll("li.recording-row");
        Assert.Contains("Recording", rows[0].QuerySelector(".status-badge")!.TextContent);
        Assert.Contains("Ready", rows[1].QuerySelector(".status-badge")!.TextContent);
        Assert.NotNull(rows[1].QuerySelector("button[aria-label^='Play']"));
        Assert.Contains("Failed", rows[2].QuerySelector(".status-badge")!.TextContent);
    }

    [Fact]
    public async Task All_your_recordings_follows_every_meeting_s_recording_changes()
    {
        Api.On("GET", "/api/recordings", new { items = new[] { Recording(ProcessingId, "Processing") }, nextCursor = (string?)null });
        var page = Render<RecordingsPage>();
        page.WaitForAssertion(() => Assert.Single(page.FindAll("li.recording-row")));

        Api.On("GET", "/api/recordings", new { items = new[] { Recording(ProcessingId, "Ready", slug: "xyz-abcd-efg") }, nextCursor = (string?)null });
        await Notifications.NotifyAsync(new MeetingChange("xyz-abcd-efg", MeetingChangeKind.Recording));

        page.WaitForAssertion(() => Assert.Contains("Ready", page.Find("li.recording-row .status-badge").TextContent));
        await DisposeComponentsAsync();
        Assert.Equal(0, Notifications.Count);
    }
}
