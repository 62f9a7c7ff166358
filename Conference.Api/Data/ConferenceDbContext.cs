using Conference.Api.Accounts;
using Conference.Api.Mail;
using Conference.Api.Meetings;
using Conference.Api.Participants;
using Conference.Api.Scheduling;
using Conference.Api.Webhooks;
using Conference.Contracts;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace Conference.Api.Data;

/// <summary>The api's database: accounts, meetings and their calls, participants and their sessions, and LiveKit's webhook events.</summary>
public sealed class ConferenceDbContext(DbContextOptions<ConferenceDbContext> options) : IdentityDbContext<ConferenceUser>(options)
{
    public DbSet<Meeting> Meetings => Set<Meeting>();
    public DbSet<MeetingCall> MeetingCalls => Set<MeetingCall>();
    public DbSet<MeetingParticipant> MeetingParticipants => Set<MeetingParticipant>();
    public DbSet<ParticipantSession> ParticipantSessions => Set<ParticipantSession>();
    public DbSet<WebhookEventRecord> WebhookEvents => Set<WebhookEventRecord>();
    public DbSet<SiteSettings> SiteSettings => Set<SiteSettings>();

    public DbSet<RefreshTokenFamily> RefreshTokenFamilies => Set<RefreshTokenFamily>();

    public DbSet<OutboxMail> MailOutbox => Set<OutboxMail>();
    public DbSet<ScheduledMeeting> ScheduledMeetings => Set<ScheduledMeeting>();
    public DbSet<Invitee> Invitees => Set<Invitee>();
    public DbSet<CalendarFeed> CalendarFeeds => Set<CalendarFeed>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyMailAndScheduling();

        // 64 text elements (TextLimits.DisplayName) may be several UTF-16 units each: the column holds what validation lets through.
        builder.Entity<ConferenceUser>(user => user.Property(u => u.DisplayName).HasMaxLength(TextLimits.StoredLength(TextLimits.DisplayName)));

        builder.Entity<Meeting>(meeting =>
        {
            meeting.ToTable("meetings");
            meeting.HasIndex(m => m.Slug).IsUnique();
            meeting.HasIndex(m => new { m.HostId, m.CreatedAt });
            meeting.Property(m => m.Slug).HasMaxLength(16);
            meeting.Property(m => m.Title).HasMaxLength(512); // 120 text elements; an emoji sequence is several chars
            meeting.HasOne<ConferenceUser>().WithMany().HasForeignKey(m => m.HostId).OnDelete(DeleteBehavior.Cascade);
            meeting.OwnsOne(m => m.Settings, settings =>
            {
                settings.Property(s => s.RecordingAccess).HasConversion<string>().HasMaxLength(16);
            });
            meeting.Ignore(m => m.RoomName);
        });

        builder.Entity<MeetingCall>(call =>
        {
            call.ToTable("meeting_calls");
            call.HasIndex(c => c.RoomSid).IsUnique();
            call.HasIndex(c => new { c.MeetingId, c.StartedAt });
            call.Property(c => c.RoomSid).HasMaxLength(64);
            call.HasOne<Meeting>().WithMany().HasForeignKey(c => c.MeetingId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<MeetingParticipant>(participant =>
        {
            participant.ToTable("meeting_participants");
            participant.HasIndex(p => new { p.MeetingId, p.Identity }).IsUnique();
            participant.Property(p => p.Identity).HasMaxLength(128);
            participant.Property(p => p.DisplayName).HasMaxLength(256);
            participant.Property(p => p.Role).HasConversion<string>().HasMaxLength(16);
            participant.HasOne<Meeting>().WithMany().HasForeignKey(p => p.MeetingId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<ParticipantSession>(session =>
        {
            session.ToTable("participant_sessions");
            session.HasIndex(s => new { s.MeetingId, s.ParticipantSid }).IsUnique();
            session.HasIndex(s => new { s.MeetingId, s.Identity });
            session.HasIndex(s => s.RoomSid);
            session.HasIndex(s => s.JoinedAt);
            session.Property(s => s.ParticipantSid).HasMaxLength(64);
            session.Property(s => s.RoomSid).HasMaxLength(64);
            session.Property(s => s.Identity).HasMaxLength(128);
            session.Property(s => s.DisplayName).HasMaxLength(256);
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
            webhookEvent.Property(e => e.LastError).HasMaxLength(2000);
            webhookEvent.HasIndex(e => e.ReceivedAt);
            // The retry loop looks only at events still waiting to apply.
            webhookEvent.HasIndex(e => e.ReceivedAt, "IX_livekit_webhook_events_unapplied").HasFilter("\"AppliedAt\" IS NULL");
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
