using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Conference.Api.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql;

namespace Conference.Tests.Api;

/// <summary>
/// A database written by the api before calls existed, migrated by starting the api on it (as an upgrade does):
/// meetings that room_finished had "ended" are usable again, and their sessions keep their history.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class MeetingDataMigrationTests(ApiFixture fixture)
{
    [Fact]
    public async Task Meetings_ended_by_room_finished_become_usable_and_sessions_keep_their_history()
    {
        var database = await fixture.Postgres.CreateDatabaseAsync($"legacy_{Guid.NewGuid():N}");
        var options = new DbContextOptionsBuilder<ConferenceDbContext>().UseNpgsql(database).Options;
        await using (var db = new ConferenceDbContext(options))
        {
            await db.GetService<IMigrator>().MigrateAsync("20261127062150_Initial");
        }

        var meetingId = Guid.NewGuid();
        var started = DateTimeOffset.Parse("2026-11-20T09:00:00Z");
        await ExecuteAsync(database, $$"""
            INSERT INTO "AspNetUsers" ("Id", "DisplayName", "CreatedAt", "EmailConfirmed", "PhoneNumberConfirmed", "TwoFactorEnabled", "LockoutEnabled", "AccessFailedCount")
            VALUES ('host-1', 'Old Host', '{{started:O}}', true, false, false, false, 0);
            INSERT INTO meetings ("Id", "Slug", "Title", "HostId", "CreatedAt", "StartedAt", "EndedAt",
                "Settings_LobbyEnabled", "Settings_Locked", "Settings_MaxParticipants", "Settings_AutoRecord", "Settings_RecordingAccess")
            VALUES ('{{meetingId}}', 'old-meet-ing', 'Last week', 'host-1', '{{started:O}}', '{{started:O}}', '{{started.AddMinutes(30):O}}',
                false, false, 50, false, 'HostOnly');
            INSERT INTO participant_sessions ("MeetingId", "Identity", "DisplayName", "Role", "JoinedAt", "LeftAt", "DisconnectReason")
            VALUES ('{{meetingId}}', 'ada-aaaaaa', 'Ada', 'Host', '{{started:O}}', '{{started.AddMinutes(30):O}}', 'ROOM_CLOSED'),
                   ('{{meetingId}}', 'bob-bbbbbb', 'Bob', 'CoHost', '{{started.AddMinutes(5):O}}', '{{started.AddMinutes(20):O}}', 'CLIENT_INITIATED');
            INSERT INTO livekit_webhook_events ("Id", "Type", "RoomName", "ReceivedAt", "Payload")
            VALUES ('EV_old', 'room_finished', 'old-meet-ing', '{{started.AddMinutes(30):O}}',
                '{"event":"room_finished","id":"EV_old","createdAt":"{{started.AddMinutes(30).ToUnixTimeSeconds()}}"}');
            """);

        // Starting the api migrates the database.
        var api = fixture.CreateApi(new Dictionary<string, string?> { ["ConnectionStrings:conference"] = database });
        var client = api.CreateClient();

        var meeting = await client.GetFromJsonAsync<JsonElement>("/api/meetings/old-meet-ing");
        Assert.Equal("Idle", meeting.GetProperty("status").GetString());
        Assert.Equal(started.AddMinutes(30), meeting.GetProperty("lastCallEndedAt").GetDateTimeOffset());
        var join = await client.PostAsJsonAsync("/api/meetings/old-meet-ing/join", new { displayName = "Returning" });
        Assert.Equal(HttpStatusCode.OK, join.StatusCode);

        var sessions = await QueryAsync(database, """
            SELECT "Identity", "ParticipantSid" LIKE 'PA_legacy_%', "RoomSid" = (SELECT "RoomSid" FROM meeting_calls), "DisconnectReason",
                   EXTRACT(EPOCH FROM "LeftAt" - "JoinedAt")::int
            FROM participant_sessions ORDER BY 1
            """);
        Assert.Equal(["ada-aaaaaa True True ROOM_CLOSED 1800", "bob-bbbbbb True True CLIENT_INITIATED 900"], sessions.Select(r => string.Join(' ', r)));
        var participants = await QueryAsync(database, """SELECT "Identity", "Role" FROM meeting_participants ORDER BY 1""");
        Assert.Equal(["ada-aaaaaa Host", "bob-bbbbbb CoHost"], participants.Select(r => string.Join(' ', r)).Take(2));
        var webhook = await QueryAsync(database, """SELECT convert_from("Payload", 'UTF8')::jsonb->>'id', "AppliedAt" IS NOT NULL, "CreatedAt" FROM livekit_webhook_events""");
        Assert.Equal("EV_old", webhook[0][0]);
        Assert.Equal(true, webhook[0][1]);
        Assert.Equal(started.AddMinutes(30), new DateTimeOffset((DateTime)webhook[0][2]!));

        // And back: the old shape again, the meeting "ended" at its last call's end.
        await using (var db = new ConferenceDbContext(options))
        {
            await db.GetService<IMigrator>().MigrateAsync("20261127062150_Initial");
        }
        Assert.Equal([1L, 1L], (await QueryAsync(database, """SELECT count(*), (SELECT count(*) FROM livekit_webhook_events) FROM meetings WHERE "EndedAt" IS NOT NULL""")).Single());
    }

    static async Task ExecuteAsync(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    static async Task<List<object?[]>> QueryAsync(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<object?[]>();
        while (await reader.ReadAsync())
        {
            var row = new object?[reader.FieldCount];
            reader.GetValues(row!);
            rows.Add(row);
        }
        return rows;
    }
}
