using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Amazon.S3.Model;
using Conference.LiveKit;
using Conference.Recorder.Recordings;
using Conference.Tests.Api;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using StackExchange.Redis;

namespace Conference.Tests.Recorder;

/// <summary>Retention deletes the file, then the row; a second pass finds nothing to do; another recorder's lock holds it back.</summary>
[Collection(RecorderCollection.Name)]
public sealed class RecordingRetentionTests(RecorderFixture fixture)
{
    [Fact]
    public async Task Expired_recordings_lose_their_file_then_their_row_once_and_only_under_the_lock()
    {
        using var host = await fixture.Platform.SignedInHostAsync(fixture.Api);
        var slug = await MeetingsApiTests.CreateAsync(host);
        var expired = await ReadyRecordingAsync(host, slug);
        var kept = await ReadyRecordingAsync(host, slug);

        var retention = fixture.Recorder.Services.GetRequiredService<RecordingRetention>();
        var redis = fixture.Recorder.Services.GetRequiredService<IConnectionMultiplexer>().GetDatabase();
        // The admin keeps recordings for 40 days (the recorder's own default is 30); the first recording ended 31 days
        // ago, the second just now. (The background reconciler applies retention too, five times a second here.)
        await SetRetentionAsync(40);
        try
        {
            await using (var connection = new NpgsqlConnection(fixture.RecordingsConnectionString))
            {
                await connection.OpenAsync();
                await using var age = new NpgsqlCommand("UPDATE recordings SET ended_at = now() - interval '31 days' WHERE id = @id", connection);
                age.Parameters.AddWithValue("id", expired.Id);
                Assert.Equal(1, await age.ExecuteNonQueryAsync());
            }
            Assert.Equal(0, await retention.ApplyAsync(CancellationToken.None));
            Assert.Equal(HttpStatusCode.OK, (await host.GetAsync($"/api/recordings/{expired.Id}")).StatusCode);

            // Another recorder is at it: with 30 days this one still leaves everything alone.
            Assert.True(await redis.LockTakeAsync(RecordingRetention.LockKey, "another-recorder", TimeSpan.FromMinutes(1)));
            try
            {
                await SetRetentionAsync(30);
                Assert.Equal(0, await retention.ApplyAsync(CancellationToken.None));
                Assert.Equal(HttpStatusCode.OK, (await host.GetAsync($"/api/recordings/{expired.Id}")).StatusCode);
            }
            finally
            {
                await redis.LockReleaseAsync(RecordingRetention.LockKey, "another-recorder");
            }
        }
        finally
        {
            await SetRetentionAsync(30);
        }

        // The background reconciler may get there first; either way the expired one goes and the other stays.
        await retention.ApplyAsync(CancellationToken.None);
        Assert.Equal(HttpStatusCode.NotFound, (await host.GetAsync($"/api/recordings/{expired.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.GetAsync($"/api/recordings/{kept.Id}")).StatusCode);
        Assert.Equal(0, await retention.ApplyAsync(CancellationToken.None));
        using var storage = fixture.Storage();
        Assert.Empty((await storage.ListObjectsV2Async(new ListObjectsV2Request { BucketName = fixture.Bucket, Prefix = expired.Key })).S3Objects ?? []);
        Assert.Single((await storage.ListObjectsV2Async(new ListObjectsV2Request { BucketName = fixture.Bucket, Prefix = kept.Key })).S3Objects ?? []);
    }

    async Task SetRetentionAsync(int days)
    {
        var response = await fixture.Admin.PutAsJsonAsync("/api/admin/settings", new { signUpOpen = true, recordingRetentionDays = days });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    async Task<(Guid Id, string Key)> ReadyRecordingAsync(HttpClient host, string slug)
    {
        var started = await host.PostAsJsonAsync($"/api/meetings/{slug}/recordings", new { });
        Assert.Equal(HttpStatusCode.Created, started.StatusCode);
        var id = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var egress = fixture.Egress.Latest(slug);
        var key = fixture.Egress.FileKey(egress.EgressId);
        var bytes = await fixture.UploadRecordingFileAsync(key, 10_000);
        await fixture.PostEgressWebhookAsync("egress_ended", fixture.Egress.Complete(egress.EgressId, bytes.Length, TimeSpan.FromSeconds(3)));
        Assert.Equal("Ready", (await host.GetFromJsonAsync<JsonElement>($"/api/recordings/{id}")).GetProperty("status").GetString());
        return (id, key);
    }
}
