using System.Globalization;
using System.Text;
using Conference.Api.Mail;
using MimeKit;

namespace Conference.Api.Scheduling;

/// <summary>
/// The mail a scheduled meeting sends its invitees, queued in the outbox within the caller's unit of work: the
/// invitation and each update (iTIP REQUEST with the meeting's SEQUENCE), the cancellation (CANCEL, the whole meeting
/// or one invitee), and the reminder before each occurrence (plain text: the calendar already has the event).
/// Replies go to the host.
/// </summary>
public sealed class ScheduleMail(MailOutbox outbox, PersonalLinks links, TimeProvider clock)
{
    /// <summary>Queues the REQUEST: the first invitation (<paramref name="update"/> false), or an update.</summary>
    public void Request(ScheduledMeeting meeting, string slug, Invitations.Person organizer, Invitee invitee, bool update)
    {
        var link = links.For(invitee, slug);
        var calendar = Invitations.Request(meeting, organizer, Person(invitee), link, clock.GetUtcNow());
        var text = new StringBuilder()
            .AppendLine(update
                ? $"{organizer.Name} changed \"{meeting.Title}\". Your calendar updates the event when you open this mail."
                : $"{organizer.Name} invites you to \"{meeting.Title}\".")
            .AppendLine()
            .Append(When(meeting))
            .AppendLine()
            .AppendLine($"Join: {link}");
        if (!string.IsNullOrWhiteSpace(meeting.Description))
        {
            text.AppendLine().AppendLine(meeting.Description);
        }
        Enqueue(InvitationMail.Compose(Address(invitee), (update ? "Updated invitation: " : "Invitation: ") + meeting.Title,
            text.ToString(), calendar, "REQUEST"), organizer);
    }

    /// <summary>Queues the CANCEL: the whole meeting was cancelled, or only this invitee was taken off it.</summary>
    public void Cancel(ScheduledMeeting meeting, string slug, Invitations.Person organizer, Invitee invitee, bool wholeMeeting)
    {
        var calendar = Invitations.Cancel(meeting, organizer, Person(invitee), links.MeetingLink(slug), clock.GetUtcNow());
        var text = new StringBuilder()
            .AppendLine(wholeMeeting
                ? $"{organizer.Name} cancelled \"{meeting.Title}\"."
                : $"{organizer.Name} took you off \"{meeting.Title}\"; your invitation and its link no longer apply.")
            .AppendLine()
            .Append(When(meeting));
        Enqueue(InvitationMail.Compose(Address(invitee), "Cancelled: " + meeting.Title, text.ToString(), calendar, "CANCEL"), organizer);
    }

    /// <summary>Queues the reminder for the occurrence starting at <paramref name="occurrenceStart"/>.</summary>
    public void Remind(ScheduledMeeting meeting, string slug, Invitations.Person organizer, Invitee invitee, DateTimeOffset occurrenceStart)
    {
        var zone = Invitations.Zone(meeting.TimeZone);
        var local = NodaTime.Instant.FromDateTimeOffset(occurrenceStart).InZone(zone).LocalDateTime;
        var message = new MimeMessage { Subject = $"Reminder: {meeting.Title} at {local.ToString("HH:mm", CultureInfo.InvariantCulture)}" };
        message.To.Add(Address(invitee));
        message.Body = new TextPart("plain")
        {
            Text = $"\"{meeting.Title}\" with {organizer.Name} starts at {local.ToString("dddd d MMMM yyyy HH:mm", CultureInfo.InvariantCulture)}"
                + $" ({meeting.TimeZone}).{Environment.NewLine}{Environment.NewLine}Join: {links.For(invitee, slug)}{Environment.NewLine}",
        };
        Enqueue(message, organizer);
    }

    /// <summary>Wakes the delivery loop: call after the unit of work is saved.</summary>
    public void Send() => outbox.WakeDelivery();

    void Enqueue(MimeMessage message, Invitations.Person organizer)
    {
        message.ReplyTo.Add(new MailboxAddress(organizer.Name, organizer.Email));
        outbox.Enqueue(message);
    }

    static Invitations.Person Person(Invitee invitee) => new(invitee.Email, invitee.Name);

    static MailboxAddress Address(Invitee invitee) => new(invitee.Name, invitee.Email);

    /// <summary>"When: Monday 15 March 2027, 09:00–09:45 (Europe/Berlin)" and the recurrence, for people reading the mail.</summary>
    public static string When(ScheduledMeeting meeting)
    {
        var end = meeting.StartLocal + meeting.Duration;
        var text = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"When: {meeting.StartLocal.ToString("dddd d MMMM yyyy, HH:mm", CultureInfo.InvariantCulture)}")
            .Append(CultureInfo.InvariantCulture, $"–{end.ToString("HH:mm", CultureInfo.InvariantCulture)} ({meeting.TimeZone})")
            .AppendLine();
        if (meeting.Recurrence != Recurrence.None && meeting.RecursUntil is { } until)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"Repeats: every {(meeting.Recurrence == Recurrence.Daily ? "day" : "week")} until {until.ToString("d MMMM yyyy", CultureInfo.InvariantCulture)}");
        }
        return text.ToString();
    }
}
