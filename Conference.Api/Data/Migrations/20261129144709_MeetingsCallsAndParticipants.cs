using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Conference.Api.Data.Migrations
{
    /// <inheritdoc />
    public partial class MeetingsCallsAndParticipants : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_participant_sessions_MeetingId_Identity",
                table: "participant_sessions");

            // EndedAt ("the meeting is over", set by room_finished) is gone: it becomes the meeting's first call below.
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "Settings_ExpiresAt",
                table: "meetings",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AlterColumn<string>(
                name: "DisplayName",
                table: "participant_sessions",
                type: "character varying(256)",
                maxLength: 256,
                nullable: false,
                oldClrType: typeof(string),
                oldType: "character varying(64)",
                oldMaxLength: 64);

            migrationBuilder.AddColumn<string>(
                name: "ParticipantSid",
                table: "participant_sessions",
                type: "character varying(64)",
                maxLength: 64,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "RoomSid",
                table: "participant_sessions",
                type: "character varying(64)",
                maxLength: 64,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AlterColumn<string>(
                name: "Title",
                table: "meetings",
                type: "character varying(512)",
                maxLength: 512,
                nullable: false,
                oldClrType: typeof(string),
                oldType: "character varying(120)",
                oldMaxLength: 120);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "EndedForEveryoneAt",
                table: "meetings",
                type: "timestamp with time zone",
                nullable: true);

            // Stored events keep what jsonb kept of them (its text form); new ones are the exact bytes LiveKit signed.
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "CreatedAt",
                table: "livekit_webhook_events",
                type: "timestamp with time zone",
                nullable: true);
            migrationBuilder.Sql("""
                UPDATE livekit_webhook_events SET "CreatedAt" = to_timestamp(("Payload"->>'createdAt')::bigint)
                WHERE ("Payload"->>'createdAt') ~ '^[0-9]{1,12}$';
                ALTER TABLE livekit_webhook_events ALTER COLUMN "Payload" TYPE bytea USING convert_to("Payload"::text, 'UTF8');
                """);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "AppliedAt",
                table: "livekit_webhook_events",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "ApplyAttempts",
                table: "livekit_webhook_events",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "LastError",
                table: "livekit_webhook_events",
                type: "character varying(2000)",
                maxLength: 2000,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "meeting_calls",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    MeetingId = table.Column<Guid>(type: "uuid", nullable: false),
                    RoomSid = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    StartedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    EndedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_meeting_calls", x => x.Id);
                    table.ForeignKey(
                        name: "FK_meeting_calls_meetings_MeetingId",
                        column: x => x.MeetingId,
                        principalTable: "meetings",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "meeting_participants",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    MeetingId = table.Column<Guid>(type: "uuid", nullable: false),
                    Identity = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    UserId = table.Column<string>(type: "text", nullable: true),
                    DisplayName = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    Role = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    FirstJoinedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    RemovedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    TimesRemoved = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_meeting_participants", x => x.Id);
                    table.ForeignKey(
                        name: "FK_meeting_participants_meetings_MeetingId",
                        column: x => x.MeetingId,
                        principalTable: "meetings",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            // Existing data: every event stored so far was applied (or given up on); each meeting with history gets
            // one call (its old start and end), its sessions that call and a sid of their own, and each identity a
            // participant row with its last role. Meetings that room_finished had "ended" are usable again.
            migrationBuilder.Sql("""
                UPDATE livekit_webhook_events SET "AppliedAt" = "ReceivedAt";

                INSERT INTO meeting_calls ("MeetingId", "RoomSid", "StartedAt", "EndedAt")
                SELECT m."Id", 'RM_legacy_' || replace(m."Id"::text, '-', ''),
                       COALESCE(m."StartedAt", (SELECT min(s."JoinedAt") FROM participant_sessions s WHERE s."MeetingId" = m."Id")),
                       m."EndedAt"
                FROM meetings m
                WHERE m."StartedAt" IS NOT NULL OR m."EndedAt" IS NOT NULL
                   OR EXISTS (SELECT 1 FROM participant_sessions s WHERE s."MeetingId" = m."Id");

                UPDATE participant_sessions SET
                    "ParticipantSid" = 'PA_legacy_' || "Id",
                    "RoomSid" = 'RM_legacy_' || replace("MeetingId"::text, '-', '');

                INSERT INTO meeting_participants ("MeetingId", "Identity", "UserId", "DisplayName", "Role", "FirstJoinedAt", "TimesRemoved")
                SELECT DISTINCT ON (s."MeetingId", s."Identity")
                       s."MeetingId", s."Identity", s."UserId", s."DisplayName", s."Role",
                       min(s."JoinedAt") OVER (PARTITION BY s."MeetingId", s."Identity"), 0
                FROM participant_sessions s
                ORDER BY s."MeetingId", s."Identity", s."JoinedAt" DESC;

                ALTER TABLE meetings DROP COLUMN "EndedAt";
                """);

            migrationBuilder.CreateIndex(
                name: "IX_participant_sessions_MeetingId_Identity",
                table: "participant_sessions",
                columns: new[] { "MeetingId", "Identity" });

            migrationBuilder.CreateIndex(
                name: "IX_participant_sessions_MeetingId_ParticipantSid",
                table: "participant_sessions",
                columns: new[] { "MeetingId", "ParticipantSid" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_participant_sessions_RoomSid",
                table: "participant_sessions",
                column: "RoomSid");

            migrationBuilder.CreateIndex(
                name: "IX_livekit_webhook_events_unapplied",
                table: "livekit_webhook_events",
                column: "ReceivedAt",
                filter: "\"AppliedAt\" IS NULL");

            migrationBuilder.CreateIndex(
                name: "IX_meeting_calls_MeetingId_StartedAt",
                table: "meeting_calls",
                columns: new[] { "MeetingId", "StartedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_meeting_calls_RoomSid",
                table: "meeting_calls",
                column: "RoomSid",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_meeting_participants_MeetingId_Identity",
                table: "meeting_participants",
                columns: new[] { "MeetingId", "Identity" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // Back to "a meeting ends with its room": the last call's end becomes EndedAt again (a running call: not ended).
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "EndedAt",
                table: "meetings",
                type: "timestamp with time zone",
                nullable: true);
            migrationBuilder.Sql("""
                UPDATE meetings m SET "EndedAt" = c.ended
                FROM (SELECT "MeetingId", max("EndedAt") AS ended, bool_or("EndedAt" IS NULL) AS running FROM meeting_calls GROUP BY "MeetingId") c
                WHERE c."MeetingId" = m."Id" AND NOT c.running;
                DELETE FROM participant_sessions a USING participant_sessions b
                WHERE a."MeetingId" = b."MeetingId" AND a."Identity" = b."Identity" AND a."Id" < b."Id";
                """);

            migrationBuilder.DropTable(
                name: "meeting_calls");

            migrationBuilder.DropTable(
                name: "meeting_participants");

            migrationBuilder.DropIndex(
                name: "IX_participant_sessions_MeetingId_Identity",
                table: "participant_sessions");

            migrationBuilder.DropIndex(
                name: "IX_participant_sessions_MeetingId_ParticipantSid",
                table: "participant_sessions");

            migrationBuilder.DropIndex(
                name: "IX_participant_sessions_RoomSid",
                table: "participant_sessions");

            migrationBuilder.DropIndex(
                name: "IX_livekit_webhook_events_unapplied",
                table: "livekit_webhook_events");

            migrationBuilder.DropColumn(
                name: "ParticipantSid",
                table: "participant_sessions");

            migrationBuilder.DropColumn(
                name: "RoomSid",
                table: "participant_sessions");

            migrationBuilder.DropColumn(
                name: "EndedForEveryoneAt",
                table: "meetings");

            migrationBuilder.DropColumn(
                name: "AppliedAt",
                table: "livekit_webhook_events");

            migrationBuilder.DropColumn(
                name: "ApplyAttempts",
                table: "livekit_webhook_events");

            migrationBuilder.DropColumn(
                name: "CreatedAt",
                table: "livekit_webhook_events");

            migrationBuilder.DropColumn(
                name: "LastError",
                table: "livekit_webhook_events");

            migrationBuilder.DropColumn(
                name: "Settings_ExpiresAt",
                table: "meetings");

            migrationBuilder.AlterColumn<string>(
                name: "DisplayName",
                table: "participant_sessions",
                type: "character varying(64)",
                maxLength: 64,
                nullable: false,
                oldClrType: typeof(string),
                oldType: "character varying(256)",
                oldMaxLength: 256);

            migrationBuilder.AlterColumn<string>(
                name: "Title",
                table: "meetings",
                type: "character varying(120)",
                maxLength: 120,
                nullable: false,
                oldClrType: typeof(string),
                oldType: "character varying(512)",
                oldMaxLength: 512);

            // Bodies holding U+0000 cannot go back into jsonb: they are dropped with the rest of the old shape's limits.
            migrationBuilder.Sql("""
                DELETE FROM livekit_webhook_events WHERE position('\x5c7530303030'::bytea in "Payload") > 0; -- the JSON escape \u0000
                ALTER TABLE livekit_webhook_events ALTER COLUMN "Payload" TYPE jsonb USING convert_from("Payload", 'UTF8')::jsonb;
                """);

            migrationBuilder.CreateIndex(
                name: "IX_participant_sessions_MeetingId_Identity",
                table: "participant_sessions",
                columns: new[] { "MeetingId", "Identity" },
                unique: true);
        }
    }
}
