using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Conference.Api.Data.Migrations
{
    /// <summary>
    /// Recording retention is the recorder's now (its <c>retention_setting</c> table). The column goes; the admin's
    /// value survives the upgrade because the api also relayed every change through Redis, and the recorder takes it
    /// over from there on its first start (<c>RetentionSettingStore.AdoptRelayedSettingAsync</c>).
    /// </summary>
    public partial class RecordingRetentionMovesToRecorder : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "RecordingRetentionDays",
                table: "site_settings");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "RecordingRetentionDays",
                table: "site_settings",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.UpdateData(
                table: "site_settings",
                keyColumn: "Id",
                keyValue: 1,
                column: "RecordingRetentionDays",
                value: 30);
        }
    }
}
