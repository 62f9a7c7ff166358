using Conference.Api.Accounts;
using Conference.Api.Meetings;
using Conference.Api.Participants;
using Conference.Api.Webhooks;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace Conference.Api.Data;

/// <summary>The api's database: accounts, meetings, participant sessions and LiveKit's webhook events.</summary>
public sealed class ConferenceDbContext(DbContextOptions<ConferenceDbContext> options) : IdentityDbContext<ConferenceUser>(options)
{
    public DbSet<Meeting> Meetings => Set<Meeting>();
    public DbSet<ParticipantSession> ParticipantSessions => Set<ParticipantSession>();
    public DbSet<WebhookEventRecord> WebhookEvents => Set<WebhookEventRecord>();
    public DbSet<SiteSettings> SiteSettings => Set<SiteSettings>();

    public DbSet<RefreshTokenFamily> RefreshTokenFamilies => Set<RefreshTokenFamily>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);

        builder.Entity<ConferenceUser>(user => user.Property(u => u.DisplayName).HasMaxLength(64));

        builder.Entity<Meeting>(meeting =>
        {
            meeting.ToTable("meetings");
            meeting.HasIndex(m => m.Slug).IsUnique();
            meeting.HasIndex(m => new { m.HostId, m.CreatedAt });
            meeting.Property(m => m.Slug).HasMaxLength(16);
            meeting.Property(m => m.Title).HasMaxLength(120);
            meeting.HasOne<ConferenceUser>().WithMany().HasForeignKey(m => m.HostId).OnDelete(DeleteBehavior.Cascade);
            meeting.OwnsOne(m => m.Settings, settings =>
            {
                settings.Property(s => s.RecordingAccess).HasConversion<string>().HasMaxLength(16);
            });
            meeting.Ignore(m => m.RoomName);
        });

        builder.Entity<ParticipantSession>(session =>
        {
            session.ToTable("participant_sessions");
            session.HasIndex(s => new { s.MeetingId, s.Identity }).IsUnique();
            session.HasIndex(s => s.JoinedAt);
            session.Property(s => s.Identity).HasMaxLength(128);
            session.Property(s => s.DisplayName).HasMaxLength(64);
            session.Property(s => s.Role).HasConversion<string>().HasMaxLength(16);
            session.Property(s => s.DisconnectReason).HasMaxLength(64);
            session.HasOne<Meeting>().WithMany().HasForeignKey(s => s.MeetingId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<WebhookEventRecord>(webhookEvent =>
        {
            webhookEvent.ToTable("livekit_webhook_events");
            webhookEvent.Property(e => e.Id).HasMaxLength(64);
            webhookEvent.Property(e => e.Type).HasMaxLength(48);
            webhookEvent.Property(e => e.RoomName).HasMaxLength(128);
            webhookEvent.Property(e => e.Payload).HasColumnType("jsonb");
            webhookEvent.HasIndex(e => e.ReceivedAt);
        });

        builder.Entity<SiteSettings>(settings =>
        {
            settings.ToTable("site_settings");
            settings.HasData(new SiteSettings());
            settings.Property(s => s.AdminSetupCode).HasMaxLength(32);
        });
        builder.Entity<RefreshTokenFamily>(family =>
        {
            family.ToTable("refresh_token_families");
            family.HasIndex(f => f.UserId);
            family.HasOne<ConferenceUser>().WithMany().HasForeignKey(f => f.UserId).OnDelete(DeleteBehavior.Cascade);
        });
    }
}
