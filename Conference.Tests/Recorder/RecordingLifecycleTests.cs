using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Amazon.S3.Model;
using Conference.LiveKit;
using Conference.Tests.Api;
using Conference.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Conference.Tests.Recorder;

/// <summary>
/// Recordings end to end through the api: the egress LiveKit is asked for, the states webhooks and the reconciler
/// drive, the file checked in s3rver, the download compared by hash, deletion.
/// </summary>
[Collection(RecorderCollection.Name)]
public sealed class RecordingLifecycleTests(RecorderFixture fixture)
{
    [Fact]
    public async Task Only_the_api_with_its_key_reaches_the_recorders_internal_interface()
    {
        var path = $"/internal/hosts/{Guid.NewGuid()}/recordings";
        var recorder = fixture.Recorder.CreateClient();

        var without = await recorder.GetAsync(path);
        Assert.Equal(HttpStatusCode.Unauthorized, without.StatusCode);
        Assert.Contains(Conference.Contracts.InternalApiKey.HeaderName, (await without.ReadProblemAsync()).Detail);

        using var wrong = new HttpRequestMessage(HttpMethod.Get, path) { Headers = { { Conference.Contracts.InternalApiKey.HeaderName, "not-" + fixture.InternalKey } } };
        Assert.Equal(HttpStatusCode.Unauthorized, (await recorder.SendAsync(wrong)).StatusCode);

        using var right = new HttpRequestMessage(HttpMethod.Get, path) { Headers = { { Conference.Contracts.InternalApiKey.HeaderName, fixture.InternalKey } } };
        Assert.Equal(HttpStatusCode.OK, (await recorder.SendAsync(right)).StatusCode);
        // The api sends it: its own listing goes through.
        using var host = await fixture.Platform.SignedInHostAsync(fixture.Api);
        Assert.Equal(HttpStatusCode.OK, (await host.GetAsync("/api/recordings")).StatusCode);
    }

    [Fact]
    public async Task A_key_mismatch_is_the_operators_problem_and_a_missing_key_shuts_the_interface()
    {
        using var host = await fixture.Platform.SignedInHostAsync(fixture.Api);
        var path = $"/internal/hosts/{Guid.NewGuid()}/recordings";
        try
        {
            // The recorder was given another key: people see "not available", never "sign in again".
            await fixture.ReplaceRecorderAsync(new Dictionary<string, string?> { [Conference.Contracts.InternalApiKey.ConfigurationKey] = "another-key" });
            var mismatch = await host.GetAsync("/api/recordings");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, mismatch.StatusCode);
            Assert.Equal("Recording is not available", (await mismatch.ReadProblemAsync()).Title);

            // No key at all outside Development: shut, not open.
            await fixture.ReplaceRecorderAsync(new Dictionary<string, string?> { [Conference.Contracts.InternalApiKey.ConfigurationKey] = "" });
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await fixture.Recorder.CreateClient().GetAsync(path)).StatusCode);
        }
        finally
        {
            await fixture.ReplaceRecorderAsync();
        }
        Assert.Equal(HttpStatusCode.OK, (await host.GetAsync("/api/recordings")).StatusCode);
    }

    [Fact]
    public async Task Hosts_learn_from_the_api_whether_this_server_can_record_and_why_not()
    {
        using var host = await fixture.Platform.SignedInHostAsync(fixture.Api);
        var slug = await MeetingsApiTests.CreateAsync(host);
        var path = $"/api/meetings/{slug}/recordings/availability";

        Assert.True((await host.GetFromJsonAsync<Conference.Contracts.RecordingAvailability>(path))!.Available);
        Assert.Equal(HttpStatusCode.Unauthorized, (await fixture.Api.CreateClient().GetAsync(path)).StatusCode);

        // No object storage (the AppHost shows storage "Unavailable" and gives the recorder none): the call page is told why.
        await fixture.ReplaceRecorderAsync(new Dictionary<string, string?> { ["ConnectionStrings:storage"] = "" });
        try
        {
            var unavailable = (await host.GetFromJsonAsync<Conference.Contracts.RecordingAvailability>(path))!;
            Assert.False(unavailable.Available);
            Assert.Contains("storage", unavailable.Reason);
        }
        finally
        {
            await fixture.ReplaceRecorderAsync();
        }
    }

    [Fact]
    public async Task Starting_asks_LiveKit_for_a_room_composite_MP4_in_our_bucket_and_the_meeting_shows_it_is_recorded()
    {
        using var host = await fixture.Platform.SignedInHostAsync(fixture.Api);
        var slug = await MeetingsApiTests.CreateAsync(host);

        var started = await host.PostAsJsonAsync($"/api/meetings/{slug}/recordings", new { layout = "speaker" });
        Assert.Equal(HttpStatusCode.Created, started.StatusCode);
        var recording = (await started.Content.ReadFromJsonAsync<RecordingAnswer>())!;
        Assert.Equal(slug, recording.MeetingSlug);
        Assert.Equal("Starting", recording.Status);
        Assert.Equal("speaker", recording.Layout);
        Assert.False(recording.AudioOnly);
        Assert.Equal($"/api/recordings/{recording.Id}", started.Headers.Location!.OriginalString);

        // What LiveKit was asked: a room composite MP4 at 720p30 uploaded to our bucket, path style.
        var call = fixture.EgressService.Requests.Last(r => r.Method == "StartRoomCompositeEgress");
        Assert.True(fixture.Platform.LiveKitVerifier.Verify(call.BearerToken).Video!.RoomRecord);
        var request = JsonDocument.Parse(call.Body).RootElement;
        Assert.Equal(slug, request.GetProperty("room_name").GetString());
        Assert.Equal("speaker", request.GetProperty("layout").GetString());
        Assert.Equal("H264_720P_30", request.GetProperty("preset").GetString());
        var output = request.GetProperty("file_outputs")[0];
        Assert.Equal("MP4", output.GetProperty("file_type").GetString());
        var key = output.GetProperty("filepath").GetString()!;
        Assert.Matches($"^recordings/{slug}/\\d{{8}}T\\d{{9}}Z\\.mp4$", key);
        var s3 = output.GetProperty("s3");
        Assert.Equal(fixture.Bucket, s3.GetProperty("bucket").GetString());
        Assert.Matches("^http://127\\.0\\.0\\.1:\\d+$", s3.GetProperty("endpoint").GetString());
        Assert.Equal("us-east-1", s3.GetProperty("region").GetString());
        Assert.True(s3.GetProperty("force_path_style").GetBoolean());
        Assert.Equal("S3RVER", s3.GetProperty("access_key").GetString());
        Assert.Equal("S3RVER", s3.GetProperty("secret").GetString());

        // Everyone loading the meeting sees it is being recorded.
        Assert.True(await host.IsRecordedAsync(slug));
    }

    [Fact]
    public async Task A_recording_goes_from_Recording_to_Processing_to_Ready_once_its_file_is_found_and_each_step_is_announced()
    {
        using var host = await fixture.Platform.SignedInHostAsync(fixture.Api);
        var slug = await MeetingsApiTests.CreateAsync(host);
        // Open pages learn of each step on the meeting-changes channel.
        await using var announced = await AnnouncedChanges.ListenAsync(fixture.Platform.RedisConnectionString, slug);
        var id = await StartAsync(host, slug);
        var egressId = EgressIdOf(slug);

        await fixture.PostEgressWebhookAsync("egress_started", fixture.Egress.Set(egressId, e => e with { Status = EgressStatus.Active }));
        Assert.Equal("Recording", (await host.GetRecordingAsync(id)).Status);

        var stopped = await host.PostAsync($"/api/meetings/{slug}/recordings/stop", null);
        Assert.Equal(HttpStatusCode.OK, stopped.StatusCode);
        Assert.Equal("Processing", (await stopped.Content.ReadFromJsonAsync<RecordingAnswer>())!.Status);
        Assert.False(await host.IsRecordedAsync(slug));
        // Each step was announced (LiveKit's answer, started, stopped), so open pages follow without asking.
        await announced.AtLeastAsync(3);

        // Egress uploads the file and reports the end; the recorder finds the object before calling it Ready.
        var bytes = await fixture.UploadRecordingFileAsync(fixture.Egress.FileKey(egressId), 300_000);
        await fixture.PostEgressWebhookAsync("egress_ended", fixture.Egress.Complete(egressId, bytes.Length, TimeSpan.FromSeconds(93.5)));
        var ready = await host.GetRecordingAsync(id);
        Assert.Equal("Ready", ready.Status);
        Assert.Equal(bytes.Length, ready.SizeBytes);
        Assert.Equal(93.5, ready.DurationSeconds);
        Assert.NotNull(ready.EndedAt);
        Assert.Null(ready.Error);
        // The end (and the file found: Ready) was announced too: the library shows Play without a reload.
        await announced.AtLeastAsync(5);
    }

    [Fact]
    public async Task A_ready_recording_is_listed_downloaded_by_a_presigned_link_and_deleted_with_its_file()
    {
        using var host = await fixture.Platform.SignedInHostAsync(fixture.Api);
        var slug = await MeetingsApiTests.CreateAsync(host);
        var (id, key, bytes) = await fixture.ReadyRecordingAsync(host, slug);

        var listed = await host.GetRecordingPageAsync($"/api/meetings/{slug}/recordings");
        Assert.Equal(id, Assert.Single(listed.Items).Id);
        Assert.Null(listed.NextCursor);
        Assert.Contains((await host.GetRecordingPageAsync("/api/recordings")).Items, r => r.Id == id);

        var download = (await host.GetFromJsonAsync<DownloadAnswer>($"/api/recordings/{id}/download"))!;
        Assert.InRange(download.ExpiresAt - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(14), TimeSpan.FromMinutes(15.1));
        using var anyone = new HttpClient();
        var downloaded = await anyone.GetByteArrayAsync(download.Url);
        Assert.Equal(SHA256.HashData(bytes), SHA256.HashData(downloaded));

        // Listening from here: Ready was announced (and heard by no one here) before the recording read as Ready.
        await using var announced = await AnnouncedChanges.ListenAsync(fixture.Platform.RedisConnectionString, slug);
        Assert.Equal(HttpStatusCode.NoContent, (await host.DeleteAsync($"/api/recordings/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await host.GetAsync($"/api/recordings/{id}")).StatusCode);
        await announced.AtLeastAsync(1); // deleted: the library drops it without a reload
        using var storage = fixture.Storage();
        var remaining = await storage.ListObjectsV2Async(new ListObjectsV2Request { BucketName = fixture.Bucket, Prefix = key });
        Assert.Empty(remaining.S3Objects ?? []);
    }

    [Fact]
    public async Task Recordings_carry_their_meetings_title_from_the_api_and_only_the_code_once_the_meeting_is_deleted()
    {
        using var host = await fixture.Platform.SignedInHostAsync(fixture.Api);
        var review = await MeetingsApiTests.CreateAsync(host, new { title = "Design review" });
        var sync = await MeetingsApiTests.CreateAsync(host, new { title = "Weekly sync" });
        var (reviewId, _, _) = await fixture.ReadyRecordingAsync(host, review);
        var (syncId, _, _) = await fixture.ReadyRecordingAsync(host, sync);

        var mine = (await host.GetRecordingPageAsync("/api/recordings")).Items;
        Assert.Equal("Design review", Assert.Single(mine, r => r.Id == reviewId).MeetingTitle);
        Assert.Equal("Weekly sync", Assert.Single(mine, r => r.Id == syncId).MeetingTitle);
        Assert.Equal("Design review", Assert.Single((await host.GetRecordingPageAsync($"/api/meetings/{review}/recordings")).Items).MeetingTitle);
        Assert.Equal("Weekly sync", (await host.GetRecordingAsync(syncId)).MeetingTitle);

        // The title is the api's, read when asked: the recorder keeps none, so a deleted meeting's recording has only its code.
        Assert.Equal(HttpStatusCode.NoContent, (await host.DeleteAsync($"/api/meetings/{review}")).StatusCode);
        mine = (await host.GetRecordingPageAsync("/api/recordings")).Items;
        var orphan = Assert.Single(mine, r => r.Id == reviewId);
        Assert.Equal(review, orphan.MeetingSlug);
        Assert.Null(orphan.MeetingTitle);
        Assert.Equal("Weekly sync", Assert.Single(mine, r => r.Id == syncId).MeetingTitle);
    }

    /// <summary>The changes published for one meeting on the meeting-changes channel, as an open page hears them.</summary>
    sealed class AnnouncedChanges(StackExchange.Redis.ConnectionMultiplexer redis, string slug) : IAsyncDisposable
    {
        readonly System.Collections.Concurrent.ConcurrentQueue<MeetingChange> heard = new();

        public static async Task<AnnouncedChanges> ListenAsync(string redisConnectionString, string slug)
        {
            var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(redisConnectionString);
            var changes = new AnnouncedChanges(redis, slug);
            await redis.GetSubscriber().SubscribeAsync(StackExchange.Redis.RedisChannel.Literal(MeetingChange.Channel), (_, message) =>
            {
                if (JsonSerializer.Deserialize<MeetingChange>(message.ToString()) is { } change && change.Slug == slug)
                {
                    changes.heard.Enqueue(change);
                }
            });
            return changes;
        }

        /// <summary>Waits until <paramref name="count"/> changes were heard, all of them about a recording.</summary>
        public async Task AtLeastAsync(int count)
        {
            var heardNow = await Eventually.ReadAsync(() => Task.FromResult(heard.ToArray()), seen => seen.Length >= count,
                $"{count} changes announced for {slug}", within: TimeSpan.FromSeconds(10));
            Assert.All(heardNow, change => Assert.Equal(MeetingChangeKind.Recording, change.What));
        }

        public ValueTask DisposeAsync() => redis.DisposeAsync();
    }

    [Fact]
    public async Task Duplicate_and_out_of_order_webhooks_end_in_the_right_state()
    {
        using var started = await RecordingStartedAsync();
        var (host, slug, id, egressId) = started;
        var key = fixture.Egress.FileKey(egressId);
        var bytes = await fixture.UploadRecordingFileAsync(key, 50_000);

        // The end overtakes the start; then the start, an update and the end again arrive late.
        var active = fixture.Egress[egressId] with { Status = EgressStatus.Active };
        var ended = fixture.Egress.Complete(egressId, bytes.Length, TimeSpan.FromSeconds(12));
        var endedId = WebhookJson.NewId();
        await fixture.PostEgressWebhookAsync("egress_ended", ended, endedId);
        await fixture.PostEgressWebhookAsync("egress_started", active);
        await fixture.PostEgressWebhookAsync("egress_updated", active);
        await fixture.PostEgressWebhookAsync("egress_ended", ended, endedId);

        var recording = await host.GetRecordingAsync(id);
        Assert.Equal("Ready", recording.Status);
        Assert.Equal(bytes.Length, recording.SizeBytes);

        // A failure is final too, and its reason reaches the host.
        var failedSlug = await MeetingsApiTests.CreateAsync(host);
        var failedId = await StartAsync(host, failedSlug);
        var failedEgress = EgressIdOf(failedSlug);
        var failed = fixture.Egress.Set(failedEgress, e => e with { Status = EgressStatus.Failed, Error = "pipeline crashed", EndedAt = DateTimeOffset.UtcNow });
        await fixture.PostEgressWebhookAsync("egress_ended", failed);
        await fixture.PostEgressWebhookAsync("egress_updated", failed with { Status = EgressStatus.Active, Error = "" });
        var failedRecording = await host.GetRecordingAsync(failedId);
        Assert.Equal("Failed", failedRecording.Status);
        Assert.Contains("pipeline crashed", failedRecording.Error);
        // The meeting is free to record again.
        Assert.Equal(HttpStatusCode.Created, (await host.PostAsJsonAsync($"/api/meetings/{failedSlug}/recordings", new { })).StatusCode);
    }

    [Fact]
    public async Task A_recorder_restarted_mid_recording_catches_up_from_ListEgress()
    {
        using var started = await RecordingStartedAsync();
        var (host, _, id, egressId) = started;
        await fixture.PostEgressWebhookAsync("egress_started", fixture.Egress.Set(egressId, e => e with { Status = EgressStatus.Active }));

        // While the recorder is down the recording ends and its egress_ended webhook is lost.
        var size = 0;
        await fixture.ReplaceRecorderAsync(whileDown: async () =>
        {
            var key = fixture.Egress.FileKey(egressId);
            size = (await fixture.UploadRecordingFileAsync(key, 80_000)).Length;
            fixture.Egress.Complete(egressId, size, TimeSpan.FromSeconds(30));
        });

        var recording = await fixture.WaitForRecordingAsync(host, id, r => r.Status == "Ready", "the recording caught up to Ready");
        Assert.Equal(size, recording.SizeBytes);
        Assert.Contains(fixture.EgressService.Requests, r => r.Method == "ListEgress"
            && JsonDocument.Parse(r.Body).RootElement.TryGetProperty("egress_id", out var asked) && asked.GetString() == egressId);
    }

    [Fact]
    public async Task An_egress_LiveKit_forgot_keeps_the_file_it_uploaded()
    {
        using var started = await RecordingStartedAsync();
        var (host, _, id, egressId) = started;
        var bytes = await fixture.UploadRecordingFileAsync(fixture.Egress.FileKey(egressId), 20_000);
        fixture.Egress.Forget(egressId);

        var recording = await fixture.WaitForRecordingAsync(host, id, r => r.Status == "Ready", "the file found and the recording Ready");
        Assert.Equal(bytes.Length, recording.SizeBytes);
    }

    [Fact]
    public async Task News_of_the_end_overtakes_a_look_for_the_file_made_while_LiveKit_did_not_list_the_egress()
    {
        using var started = await RecordingStartedAsync();
        var (host, slug, id, egressId) = started;
        // A retry far away, so only the news can make the recording Ready within the test.
        await fixture.ReplaceRecorderAsync(new Dictionary<string, string?> { ["Recordings:VerifyRetryDelay"] = "00:10:00" });
        try
        {
            await fixture.PostEgressWebhookAsync("egress_started", fixture.Egress.Set(egressId, e => e with { Status = EgressStatus.Active }));
            Assert.Equal(HttpStatusCode.OK, (await host.PostAsync($"/api/meetings/{slug}/recordings/stop", null)).StatusCode);

            // While the file is still being uploaded, ListEgress does not report the egress (the emulator did this
            // while an egress was ending; LiveKit does it after a restart): the reconciler looks for the file at
            // once, finds nothing, and schedules the next look.
            fixture.Egress.Forget(egressId);
            var store = fixture.Recorder.Services.GetRequiredService<Conference.Recorder.Data.RecordingStore>();
            var looked = await Eventually.ReadAsync(() => store.FindAsync(id, default), r => r?.VerifyAttempts > 0, "the reconciler's first look for the file",
                within: TimeSpan.FromSeconds(10));
            Assert.True(looked is { Status: Conference.Contracts.RecordingStatus.Processing, VerifyAttempts: 1 }, $"after the reconciler's look: {looked}");

            // Then the upload finishes and LiveKit's egress_ended arrives with the file results: Ready at once,
            // with the duration it reported.
            var key = looked.ObjectKey;
            var bytes = await fixture.UploadRecordingFileAsync(key, 40_000);
            var ended = new EgressInfo
            {
                EgressId = egressId,
                RoomName = slug,
                Status = EgressStatus.Complete,
                EndedAt = DateTimeOffset.UtcNow,
                FileResults = [new EgressFileInfo { Filename = key, Size = bytes.Length, Duration = TimeSpan.FromSeconds(6.2), Location = $"s3://bucket/{key}" }],
            };
            await fixture.PostEgressWebhookAsync("egress_ended", ended);
            var recording = await host.GetRecordingAsync(id);
            Assert.Equal("Ready", recording.Status);
            Assert.Equal(6.2, recording.DurationSeconds);
            Assert.Equal(bytes.Length, recording.SizeBytes);
        }
        finally
        {
            await fixture.ReplaceRecorderAsync();
        }
    }

    [Fact]
    public async Task A_start_whose_answer_never_arrived_is_matched_by_its_webhook_or_adopted_from_ListEgress()
    {
        using var host = await fixture.Platform.SignedInHostAsync(fixture.Api);
        // Two meetings whose recorder stopped after storing the start and before LiveKit's answer: one fresh, one
        // from three minutes ago (older than the start timeout).
        var fresh = await MeetingsApiTests.CreateAsync(host);
        var old = await MeetingsApiTests.CreateAsync(host);
        var freshEgress = fixture.Egress.Add(RunningEgress(fresh));
        var oldEgress = fixture.Egress.Add(RunningEgress(old));
        var freshId = await InsertStartingAsync(fresh, DateTimeOffset.UtcNow);
        var oldId = await InsertStartingAsync(old, DateTimeOffset.UtcNow.AddMinutes(-3));

        // The fresh one: egress_started arrives first and names the room.
        await fixture.PostEgressWebhookAsync("egress_started", freshEgress);
        Assert.Equal("Recording", (await host.GetRecordingAsync(freshId)).Status);

        // The old one: its webhook was lost too; the reconciler finds LiveKit running an egress nobody owns.
        var adopted = await fixture.WaitForRecordingAsync(host, oldId, r => r.Status != "Starting", "the reconciler's look at the lost start");
        Assert.Equal("Recording", adopted.Status);
        Assert.Equal(HttpStatusCode.OK, (await host.PostAsync($"/api/meetings/{old}/recordings/stop", null)).StatusCode);
        Assert.Equal(EgressStatus.Ending, fixture.Egress[oldEgress.EgressId].Status);
    }

    static EgressInfo RunningEgress(string slug) => new()
    {
        EgressId = $"EG_{Guid.NewGuid():N}"[..15],
        RoomName = slug,
        Status = EgressStatus.Active,
        StartedAt = DateTimeOffset.UtcNow,
        RoomComposite = new RoomCompositeEgressRequest { RoomName = slug, Layout = "grid" },
    };

    /// <summary>A row as the recorder stores it before asking LiveKit, for the meeting's real host.</summary>
    async Task<Guid> InsertStartingAsync(string slug, DateTimeOffset startedAt)
    {
        await using var conference = new Npgsql.NpgsqlConnection(fixture.Platform.DatabaseConnectionString);
        await conference.OpenAsync();
        await using var host = new Npgsql.NpgsqlCommand("""SELECT "HostId" FROM meetings WHERE "Slug" = @slug""", conference);
        host.Parameters.AddWithValue("slug", slug);
        var hostId = (string)(await host.ExecuteScalarAsync())!;

        var id = Guid.CreateVersion7();
        await using var recordings = new Npgsql.NpgsqlConnection(fixture.RecordingsConnectionString);
        await recordings.OpenAsync();
        await using var insert = new Npgsql.NpgsqlCommand("""
            INSERT INTO recordings (id, meeting_slug, host_id, status, layout, audio_only, object_key, started_at)
            VALUES (@id, @slug, @host, 'Starting', 'grid', false, 'recordings/' || @slug || '/lost.mp4', @started)
            """, recordings);
        insert.Parameters.AddWithValue("id", id);
        insert.Parameters.AddWithValue("slug", slug);
        insert.Parameters.AddWithValue("host", hostId);
        insert.Parameters.AddWithValue("started", startedAt);
        await insert.ExecuteNonQueryAsync();
        return id;
    }

    [Fact]
    public async Task Storage_that_cannot_be_reached_is_retried_then_the_recording_fails_with_the_reason()
    {
        using var started = await RecordingStartedAsync();
        var (host, _, id, egressId) = started;
        // A port nothing listens on: connections are refused at once.
        using var closed = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var port = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        await fixture.ReplaceRecorderAsync(new Dictionary<string, string?>
        {
            ["ConnectionStrings:storage"] = $"Endpoint=http://127.0.0.1:{port};Region=us-east-1;Bucket=b;AccessKey=k;SecretKey=s",
            ["Recordings:VerifyRetryDelay"] = "00:00:00.300",
        });
        try
        {
            await fixture.PostEgressWebhookAsync("egress_ended", fixture.Egress.Complete(egressId, 1000, TimeSpan.FromSeconds(5)));
            // The first check failed: still Processing, to be tried again.
            Assert.Equal("Processing", (await host.GetRecordingAsync(id)).Status);

            var recording = await fixture.WaitForRecordingAsync(host, id, r => r.Status != "Processing", "the retries given up");
            Assert.Equal("Failed", recording.Status);
            var error = recording.Error!;
            Assert.Contains("after 3 attempts", error);
            Assert.Contains("object storage could not be reached", error);
            // /health says so too: the recorder is not ready while its bucket does not answer.
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await fixture.Recorder.CreateClient().GetAsync("/health")).StatusCode);
        }
        finally
        {
            await fixture.ReplaceRecorderAsync();
        }
        Assert.Equal(HttpStatusCode.OK, (await fixture.Recorder.CreateClient().GetAsync("/health")).StatusCode);
    }

    [Fact]
    public async Task Health_says_when_the_bucket_is_missing_or_storage_refuses_our_key()
    {
        // A healthy probe is a 200 (a one-key listing), so the dashboard shows no failed request every 30 s.
        Assert.Equal(HealthStatus.Healthy, (await StorageHealthAsync()).Status);
        var endpoint = fixture.StorageEndpoint.ToString();
        try
        {
            await fixture.ReplaceRecorderAsync(new Dictionary<string, string?>
            {
                ["ConnectionStrings:storage"] = $"Endpoint={endpoint};Region=us-east-1;Bucket=no-such-bucket;AccessKey={S3rverServer.AccessKey};SecretKey={S3rverServer.SecretKey}",
            });
            var missing = await StorageHealthAsync();
            Assert.Equal(HealthStatus.Unhealthy, missing.Status);
            Assert.Contains("no-such-bucket", missing.Description);
            Assert.Contains("does not exist", missing.Description);

            await fixture.ReplaceRecorderAsync(new Dictionary<string, string?>
            {
                // An access key storage does not know (s3rver checks the key, not SigV4 signatures: a wrong secret
                // would pass it, where Oracle and AWS answer SignatureDoesNotMatch, a 403 like this one).
                ["ConnectionStrings:storage"] = $"Endpoint={endpoint};Region=us-east-1;Bucket={fixture.Bucket};AccessKey=NOT-OURS;SecretKey={S3rverServer.SecretKey}",
            });
            var refused = await StorageHealthAsync();
            Assert.Equal(HealthStatus.Unhealthy, refused.Status);
            Assert.Contains("Access Key Id you provided does not exist", refused.Description);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await fixture.Recorder.CreateClient().GetAsync("/health")).StatusCode);
        }
        finally
        {
            await fixture.ReplaceRecorderAsync();
        }
        Assert.Equal(HealthStatus.Healthy, (await StorageHealthAsync()).Status);
    }

    async Task<HealthReportEntry> StorageHealthAsync()
    {
        var report = await fixture.Recorder.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        return report.Entries["storage"];
    }

    [Fact]
    public async Task Only_hosts_and_co_hosts_start_and_stop_and_recording_access_decides_who_downloads()
    {
        using var host = await fixture.Platform.SignedInHostAsync(fixture.Api);
        using var stranger = await fixture.Platform.SignedInHostAsync(fixture.Api);
        using var anonymous = fixture.Api.CreateClient();
        var slug = await MeetingsApiTests.CreateAsync(host);

        Assert.Equal(HttpStatusCode.Forbidden, (await stranger.PostAsJsonAsync($"/api/meetings/{slug}/recordings", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync($"/api/meetings/{slug}/recordings", new { })).StatusCode);
        var id = await StartAsync(host, slug);
        Assert.Equal(HttpStatusCode.Forbidden, (await stranger.PostAsync($"/api/meetings/{slug}/recordings/stop", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await stranger.GetAsync($"/api/meetings/{slug}/recordings")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await stranger.GetAsync($"/api/recordings/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await stranger.GetAsync($"/api/recordings/{id}/download")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await stranger.DeleteAsync($"/api/recordings/{id}")).StatusCode);
        Assert.DoesNotContain((await stranger.GetRecordingPageAsync("/api/recordings")).Items, r => r.Id == id);

        // A guest in the call: a co-host may stop; with access for participants a guest may list, never delete.
        using var guest = await JoinAsync(slug, "CoHost", host);
        Assert.Equal(HttpStatusCode.Forbidden, (await guest.GetAsync($"/api/recordings/{id}/download")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await guest.PostAsync($"/api/meetings/{slug}/recordings/stop", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.PutAsJsonAsync($"/api/meetings/{slug}/settings", new { recordingAccess = "Participants" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await guest.GetAsync($"/api/meetings/{slug}/recordings")).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await guest.GetAsync($"/api/recordings/{id}/download")).StatusCode); // allowed, but not Ready
        Assert.Equal(HttpStatusCode.Forbidden, (await guest.DeleteAsync($"/api/recordings/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await stranger.GetAsync($"/api/meetings/{slug}/recordings")).StatusCode);
    }

    [Fact]
    public async Task A_second_start_is_409_stopping_nothing_is_404_and_bad_input_names_the_field()
    {
        using var host = await fixture.Platform.SignedInHostAsync(fixture.Api);
        var slug = await MeetingsApiTests.CreateAsync(host);

        var nothing = await host.PostAsync($"/api/meetings/{slug}/recordings/stop", null);
        Assert.Equal(HttpStatusCode.NotFound, nothing.StatusCode);
        Assert.Equal("application/problem+json", nothing.Content.Headers.ContentType!.MediaType);

        var badLayout = await host.PostAsJsonAsync($"/api/meetings/{slug}/recordings", new { layout = "mosaic" });
        Assert.Equal(HttpStatusCode.BadRequest, badLayout.StatusCode);
        Assert.Contains("layout", (await badLayout.ReadProblemAsync()).Errors.Keys);

        await StartAsync(host, slug);
        var twice = await host.PostAsJsonAsync($"/api/meetings/{slug}/recordings", new { audioOnly = true });
        Assert.Equal(HttpStatusCode.Conflict, twice.StatusCode);
        Assert.Equal("application/problem+json", twice.Content.Headers.ContentType!.MediaType);

        // LiveKit failing to stop is 503 with the reason, and the recording is still running to stop again.
        fixture.Egress.Unavailable = true;
        try
        {
            var refused = await host.PostAsync($"/api/meetings/{slug}/recordings/stop", null);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Contains("could not stop", (await refused.ReadProblemAsync()).Detail);
        }
        finally
        {
            fixture.Egress.Unavailable = false;
        }
        Assert.Equal(HttpStatusCode.OK, (await host.PostAsync($"/api/meetings/{slug}/recordings/stop", null)).StatusCode);

        foreach (var (query, field) in new[] { ("limit=0", "limit"), ("limit=101", "limit"), ("cursor=not-a-cursor", "cursor") })
        {
            var bad = await host.GetAsync($"/api/meetings/{slug}/recordings?{query}");
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.True((await bad.ReadProblemAsync()).Errors.ContainsKey(field), query);
        }
        Assert.Equal(HttpStatusCode.BadRequest, (await host.GetAsync("/api/recordings?limit=-1")).StatusCode);
    }

    [Fact]
    public async Task Pages_follow_the_cursor_newest_first_without_gaps_or_repeats()
    {
        using var host = await fixture.Platform.SignedInHostAsync(fixture.Api);
        var slug = await MeetingsApiTests.CreateAsync(host);
        var ids = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add(await StartAsync(host, slug));
            Assert.Equal(HttpStatusCode.OK, (await host.PostAsync($"/api/meetings/{slug}/recordings/stop", null)).StatusCode);
        }
        var seen = new List<Guid>();
        string? cursor = null;
        do
        {
            var page = await host.GetRecordingPageAsync($"/api/recordings?limit=2{(cursor is null ? "" : $"&cursor={cursor}")}");
            seen.AddRange(page.Items.Select(r => r.Id));
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        Assert.Equal(Enumerable.Reverse(ids), seen);
    }

    [Fact]
    public async Task A_meeting_with_auto_record_starts_recording_when_its_room_starts()
    {
        using var host = await fixture.Platform.SignedInHostAsync(fixture.Api);
        var slug = await MeetingsApiTests.CreateAsync(host, new { title = "Auto", settings = new { autoRecord = true } });
        var manual = await MeetingsApiTests.CreateAsync(host);

        using var liveKit = fixture.Api.CreateClient();
        (await fixture.Platform.PostWebhookAsync(liveKit, WebhookJson.RoomStarted(slug, DateTimeOffset.UtcNow))).EnsureSuccessStatusCode();
        (await fixture.Platform.PostWebhookAsync(liveKit, WebhookJson.RoomStarted(manual, DateTimeOffset.UtcNow))).EnsureSuccessStatusCode();

        Assert.Equal("Starting", Assert.Single((await host.GetRecordingPageAsync($"/api/meetings/{slug}/recordings")).Items).Status);
        Assert.True(await host.IsRecordedAsync(slug));
        Assert.Empty((await host.GetRecordingPageAsync($"/api/meetings/{manual}/recordings")).Items);
    }

    [Fact]
    public async Task Without_egress_a_start_is_503_with_the_reason()
    {
        using var host = await fixture.Platform.SignedInHostAsync(fixture.Api);
        var slug = await MeetingsApiTests.CreateAsync(host);
        fixture.Egress.Unavailable = true;
        try
        {
            var refused = await host.PostAsJsonAsync($"/api/meetings/{slug}/recordings", new { });
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Contains("egress not connected", (await refused.ReadProblemAsync()).Detail);
        }
        finally
        {
            fixture.Egress.Unavailable = false;
        }

        // An api with no recorder at all (the fixture's plain api) says so, for every recording endpoint.
        using var withoutRecorder = await fixture.Platform.SignedInHostAsync();
        var elsewhere = await MeetingsApiTests.CreateAsync(withoutRecorder);
        foreach (var response in new[]
        {
            await withoutRecorder.PostAsJsonAsync($"/api/meetings/{elsewhere}/recordings", new { }),
            await withoutRecorder.GetAsync("/api/recordings"),
            await withoutRecorder.GetAsync($"/api/recordings/{Guid.NewGuid()}/download"),
        })
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Contains("no recorder", (await response.ReadProblemAsync()).Detail);
        }

        await fixture.ReplaceRecorderAsync(new Dictionary<string, string?> { ["LiveKit:Url"] = "" });
        try
        {
            var notConfigured = await host.PostAsJsonAsync($"/api/meetings/{slug}/recordings", new { });
            Assert.Equal(HttpStatusCode.ServiceUnavailable, notConfigured.StatusCode);
            Assert.Contains("not configured", (await notConfigured.ReadProblemAsync()).Detail);
        }
        finally
        {
            await fixture.ReplaceRecorderAsync();
        }
    }

    /// <summary>A new host, meeting and started recording, with the egress LiveKit was asked for.</summary>
    async Task<StartedRecording> RecordingStartedAsync()
    {
        var host = await fixture.Platform.SignedInHostAsync(fixture.Api);
        var slug = await MeetingsApiTests.CreateAsync(host);
        var id = await StartAsync(host, slug);
        return new StartedRecording(host, slug, id, EgressIdOf(slug));
    }

    sealed record StartedRecording(HttpClient Host, string Slug, Guid Id, string EgressId) : IDisposable
    {
        public void Dispose() => Host.Dispose();
    }

    async Task<Guid> StartAsync(HttpClient host, string slug)
    {
        var started = await host.PostAsJsonAsync($"/api/meetings/{slug}/recordings", new { });
        Assert.Equal(HttpStatusCode.Created, started.StatusCode);
        return (await started.Content.ReadFromJsonAsync<RecordingAnswer>())!.Id;
    }

    /// <summary>The egress most recently started for the meeting's room.</summary>
    string EgressIdOf(string slug) => fixture.Egress.Latest(slug).EgressId;

    /// <summary>
    /// Someone who joined the meeting and is in the call (LiveKit said so), carrying their participant credential; the
    /// host makes them co-host when <paramref name="role"/> says so (roles are the meeting's, not the token's).
    /// </summary>
    async Task<HttpClient> JoinAsync(string slug, string role, HttpClient host)
    {
        var client = fixture.Api.CreateClient();
        var joined = await client.PostAsJsonAsync($"/api/meetings/{slug}/join", new { displayName = "Gina" });
        joined.EnsureSuccessStatusCode();
        var join = (await joined.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("join");
        var now = DateTimeOffset.UtcNow;
        (await fixture.Platform.PostWebhookAsync(client, WebhookJson.Participant("participant_joined", slug, join.GetProperty("identity").GetString()!, "Gina", now, now, role: role)))
            .EnsureSuccessStatusCode();
        if (role == "CoHost")
        {
            (await host.PutAsJsonAsync($"/api/meetings/{slug}/participants/{join.GetProperty("identity").GetString()}/role", new { role })).EnsureSuccessStatusCode();
        }
        client.DefaultRequestHeaders.Add("X-Participant-Token", join.GetProperty("participantCredential").GetString());
        return client;
    }
}
