using Conference.Api.Mail;
using Conference.Api.Meetings;
using Microsoft.EntityFrameworkCore;

namespace Conference.Api.Scheduling;

/// <summary>The tables of the mail outbox, scheduled meetings, their invitees and the hosts' calendar feeds.</summary>
static class SchedulingModel
{
    public static void ApplyMailAndScheduling(this ModelBuilder builder)
    {
        builder.Entity<OutboxMail>(mail =>
        {
            mail.ToTable("mail_outbox");
            mail.HasIndex(m => m.MessageId).IsUnique();
            // The delivery loop's query: what is unsent and due.
            mail.HasIndex(m => m.NextAttemptAt).HasFilter("\"SentAt\" IS NULL");
            mail.Property(m => m.MessageId).HasMaxLength(256);
            mail.Property(m => m.Recipients).HasMaxLength(2048);
            mail.Property(m => m.Subject).HasMaxLength(1024);
            mail.Property(m => m.LastError).HasMaxLength(2048);
        });

        builder.Entity<ScheduledMeeting>(scheduled =>
        {
            scheduled.ToTable("scheduled_meetings");
            scheduled.HasIndex(s => s.Uid).IsUnique();
            scheduled.HasIndex(s => s.MeetingId).IsUnique();
            scheduled.HasIndex(s => new { s.HostId, s.StartsAt });
            scheduled.Property(s => s.Uid).HasMaxLength(128);
            scheduled.Property(s => s.Title).HasMaxLength(512);
            scheduled.Property(s => s.Description).HasMaxLength(8192);
            scheduled.Property(s => s.TimeZone).HasMaxLength(64);
            scheduled.Property(s => s.StartLocal).HasColumnType("timestamp without time zone");
            scheduled.Property(s => s.Recurrence).HasConversion<string>().HasMaxLength(16);
            scheduled.HasOne<Meeting>().WithMany().HasForeignKey(s => s.MeetingId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<Invitee>(invitee =>
        {
            invitee.ToTable("invitees");
            invitee.HasIndex(i => new { i.ScheduledMeetingId, i.Email }).IsUnique();
            invitee.HasIndex(i => i.LinkTokenHash).IsUnique();
            invitee.Property(i => i.Email).HasMaxLength(254);
            invitee.Property(i => i.Name).HasMaxLength(256);
            invitee.Property(i => i.Identity).HasMaxLength(128);
            invitee.Property(i => i.LinkTokenHash).HasMaxLength(64);
            invitee.Property(i => i.ProtectedLinkToken).HasMaxLength(1024);
            invitee.HasOne<ScheduledMeeting>().WithMany().HasForeignKey(i => i.ScheduledMeetingId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<CalendarFeed>(feed =>
        {
            feed.ToTable("calendar_feeds");
            feed.HasKey(f => f.UserId);
            feed.HasIndex(f => f.TokenHash).IsUnique();
            feed.Property(f => f.TokenHash).HasMaxLength(64);
            feed.HasOne<Accounts.ConferenceUser>().WithMany().HasForeignKey(f => f.UserId).OnDelete(DeleteBehavior.Cascade);
        });
    }
}
