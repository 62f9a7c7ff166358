using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Amazon.S3.Model;
using Conference.Api.Accounts;
using Conference.LiveKit;
using Conference.Recorder.Data;
using Conference.Recorder.Recordings;
using Conference.Tests.Api;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using StackExchange.Redis;

namespace Conference.Tests.Recorder;

/// <summary>
/// Retention deletes the file, then the row; a second pass finds nothing to do; another recorder's lock holds it back.
/// The admin's setting is the recorder's to keep: the api hands it over and reads it back, and says "retry" while it cannot.
/// </summary>
[Collection(RecorderCollection.Name)]
public sealed class RecordingRetentionTests(RecorderFixture fixture)
{
    [Fact]
    public async Task Expired_recordings_lose_their_file_then_their_row_once_and_only_under_the_lock()
    {
        using var host = await fixture.Platform.SignedInHostAsync(fixture.Api);
        var slug = await MeetingsApiTests.CreateAsync(host);
        var expired = await fixture.ReadyRecordingAsync(host, slug);
        var kept = await fixture.ReadyRecordingAsync(host, slug);

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
            // The recorder's own loop takes the lock five times a second here (ci47: it held it at the first try).
            var taken = false;
            for (var attempt = 0; attempt < 100 && !taken; attempt++)
            {
                taken = await redis.LockTakeAsync(RecordingRetention.LockKey, "another-recorder", TimeSpan.FromMinutes(1));
                if (!taken)
                {
                    await Task.Delay(20);
                }
            }
            Assert.True(taken, "the retention lock stayed taken for 2 s");
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

        // The background reconciler may get there first; either way the expired one goes and the other stays. While
        // the reconciler's pass holds the lock this one does nothing (ci45: it found the recording still there), so
        // it asks again until a pass, either, has gone through: the reconciler runs five times a second here.
        var status = HttpStatusCode.OK;
        for (var pass = 0; pass < 50 && status == HttpStatusCode.OK; pass++)
        {
            await retention.ApplyAsync(CancellationToken.None);
            status = (await host.GetAsync($"/api/recordings/{expired.Id}")).StatusCode;
            if (status == HttpStatusCode.OK)
            {
                await Task.Delay(100);
            }
        }
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal(HttpStatusCode.OK, (await host.GetAsync($"/api/recordings/{kept.Id}")).StatusCode);
        Assert.Equal(0, await retention.ApplyAsync(CancellationToken.None));
        using var storage = fixture.Storage();
        Assert.Empty((await storage.ListObjectsV2Async(new ListObjectsV2Request { BucketName = fixture.Bucket, Prefix = expired.Key })).S3Objects ?? []);
        Assert.Single((await storage.ListObjectsV2Async(new ListObjectsV2Request { BucketName = fixture.Bucket, Prefix = kept.Key })).S3Objects ?? []);
    }

    [Fact]
    public async Task The_admins_retention_is_kept_by_the_recorder_and_outlives_its_restart()
    {
        try
        {
            var saved = await fixture.Admin.PutAsJsonAsync("/api/admin/settings", new { signUpOpen = true, recordingRetentionDays = 45 });
            Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
            Assert.Equal(45, (await saved.Content.ReadFromJsonAsync<AccountsApi.SiteSettingsDto>())!.RecordingRetentionDays);
            Assert.Equal(45, await fixture.Recorder.Services.GetRequiredService<RetentionSettingStore>().DaysAsync(CancellationToken.None));
            Assert.Equal(45, await fixture.Recorder.Services.GetRequiredService<RecordingRetention>().DaysAsync(CancellationToken.None));
            // No copy anywhere else: not in the api's table, not in Redis.
            Assert.False(await fixture.Recorder.Services.GetRequiredService<IConnectionMultiplexer>().GetDatabase().KeyExistsAsync(RelayedRedisKey));
            await using (var connection = new NpgsqlConnection(fixture.Platform.DatabaseConnectionString))
            {
                await connection.OpenAsync();
                await using var columns = new NpgsqlCommand(
                    "SELECT count(*) FROM information_schema.columns WHERE table_name = 'site_settings' AND column_name ILIKE '%retention%'", connection);
                Assert.Equal(0L, await columns.ExecuteScalarAsync());
            }

            await fixture.ReplaceRecorderAsync();
            Assert.Equal(new AccountsApi.SiteSettingsDto(true, 45), await fixture.Admin.GetFromJsonAsync<AccountsApi.SiteSettingsDto>("/api/admin/settings"));
        }
        finally
        {
            await SetRetentionAsync(30);
        }
    }

    [Fact]
    public async Task While_the_recorder_is_down_the_admin_is_asked_to_retry_and_nothing_changes()
    {
        await SetRetentionAsync(30);
        await fixture.ReplaceRecorderAsync(whileDown: async () =>
        {
            var change = await fixture.Admin.PutAsJsonAsync("/api/admin/settings", new { signUpOpen = false, recordingRetentionDays = 60 });
            await AssertRetryLaterAsync(change);
            await AssertRetryLaterAsync(await fixture.Admin.GetAsync("/api/admin/settings"));
        });

        // Neither half of the refused change was applied: sign-up is still open, retention still 30.
        Assert.Equal(new AccountsApi.SiteSettingsDto(true, 30), await fixture.Admin.GetFromJsonAsync<AccountsApi.SiteSettingsDto>("/api/admin/settings"));
        Assert.Equal(30, await fixture.Recorder.Services.GetRequiredService<RetentionSettingStore>().DaysAsync(CancellationToken.None));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(3651)]
    public async Task A_retention_out_of_range_is_a_problem_naming_the_field_and_changes_nothing(int days)
    {
        await SetRetentionAsync(30);
        var refused = await fixture.Admin.PutAsJsonAsync("/api/admin/settings", new { signUpOpen = true, recordingRetentionDays = days });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.True((await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("recordingRetentionDays", out _));

        // The recorder checks for itself too (its interface is not only the api's to call).
        using var recorder = fixture.Recorder.CreateClient();
        recorder.DefaultRequestHeaders.Add(Conference.Contracts.InternalApiKey.HeaderName, fixture.InternalKey);
        var direct = await recorder.PutAsJsonAsync("/internal/retention", new { days });
        Assert.Equal(HttpStatusCode.BadRequest, direct.StatusCode);
        Assert.True((await direct.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("days", out _));

        Assert.Equal(30, await fixture.Recorder.Services.GetRequiredService<RetentionSettingStore>().DaysAsync(CancellationToken.None));
    }

    [Fact]
    public async Task An_admin_can_go_back_to_keeping_recordings_for_ever_and_then_nothing_expires()
    {
        using var host = await fixture.Platform.SignedInHostAsync(fixture.Api);
        var slug = await MeetingsApiTests.CreateAsync(host);
        var old = await fixture.ReadyRecordingAsync(host, slug);
        var retention = fixture.Recorder.Services.GetRequiredService<RecordingRetention>();
        try
        {
            await SetRetentionAsync(30);
            var saved = await fixture.Admin.PutAsJsonAsync("/api/admin/settings", new { signUpOpen = true, recordingRetentionDays = 0 });
            Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
            Assert.Equal(new AccountsApi.SiteSettingsDto(true, 0), await fixture.Admin.GetFromJsonAsync<AccountsApi.SiteSettingsDto>("/api/admin/settings"));
            Assert.Equal(0, await fixture.Recorder.Services.GetRequiredService<RetentionSettingStore>().DaysAsync(CancellationToken.None));

            // Ten years old, and kept: no pass (this one, or the reconciler's five a second) deletes it.
            await using (var connection = new NpgsqlConnection(fixture.RecordingsConnectionString))
            {
                await connection.OpenAsync();
                await using var age = new NpgsqlCommand("UPDATE recordings SET ended_at = now() - interval '3651 days' WHERE id = @id", connection);
                age.Parameters.AddWithValue("id", old.Id);
                Assert.Equal(1, await age.ExecuteNonQueryAsync());
            }
            Assert.Equal(0, await retention.ApplyAsync(CancellationToken.None));
            await Task.Delay(500);
            Assert.Equal(HttpStatusCode.OK, (await host.GetAsync($"/api/recordings/{old.Id}")).StatusCode);

            // The choice outlives a restart, as any other.
            await fixture.ReplaceRecorderAsync();
            Assert.Equal(new AccountsApi.SiteSettingsDto(true, 0), await fixture.Admin.GetFromJsonAsync<AccountsApi.SiteSettingsDto>("/api/admin/settings"));
        }
        finally
        {
            await SetRetentionAsync(30);
        }
        // Back to 30 days: the ten-year-old recording goes (the reconciler's pass, or this one's).
        var status = HttpStatusCode.OK;
        for (var pass = 0; pass < 50 && status == HttpStatusCode.OK; pass++)
        {
            await fixture.Recorder.Services.GetRequiredService<RecordingRetention>().ApplyAsync(CancellationToken.None);
            status = (await host.GetAsync($"/api/recordings/{old.Id}")).StatusCode;
            if (status == HttpStatusCode.OK)
            {
                await Task.Delay(100);
            }
        }
        Assert.Equal(HttpStatusCode.NotFound, status);
    }

    [Fact]
    public async Task An_upgraded_recorder_takes_over_the_retention_the_api_relayed_through_Redis()
    {
        try
        {
            await using (var connection = new NpgsqlConnection(fixture.RecordingsConnectionString))
            {
                await connection.OpenAsync();
                await using var forget = new NpgsqlCommand("DELETE FROM retention_setting", connection);
                await forget.ExecuteNonQueryAsync();
            }
            await using var redis = await ConnectionMultiplexer.ConnectAsync(fixture.Platform.RedisConnectionString);
            await redis.GetDatabase().StringSetAsync(RelayedRedisKey, 41);

            await fixture.ReplaceRecorderAsync();

            Assert.Equal(41, (await fixture.Admin.GetFromJsonAsync<AccountsApi.SiteSettingsDto>("/api/admin/settings"))!.RecordingRetentionDays);
            Assert.False(await redis.GetDatabase().KeyExistsAsync(RelayedRedisKey));
        }
        finally
        {
            await SetRetentionAsync(30);
        }
    }

    /// <summary>Where the api relayed the retention before the recorder kept it.</summary>
    const string RelayedRedisKey = "conference:recording-retention-days";

    static async Task AssertRetryLaterAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(response.Headers.RetryAfter?.Delta);
    }

    async Task SetRetentionAsync(int days)
    {
        var response = await fixture.Admin.PutAsJsonAsync("/api/admin/settings", new { signUpOpen = true, recordingRetentionDays = days });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
