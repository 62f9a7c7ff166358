using Ical.Net;
using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;
using Ical.Net.Serialization;
using NodaTime;

namespace Conference.Api.Scheduling;

/// <summary>
/// iCalendar objects for a scheduled meeting (RFC 5545, with RFC 5546 iTIP methods), built with Ical.Net. Each
/// invitee gets their own: their personal join link in LOCATION and URL, and only themselves as ATTENDEE, so no
/// invitee learns the others' addresses or links. The UID never changes; SEQUENCE is the meeting's.
/// </summary>
public static class Invitations
{
    /// <summary>PRODID (RFC 5545 §3.7.3).</summary>
    public const string ProductId = "-//Conference//Scheduled meetings//EN";

    /// <summary>Someone an invitation is addressed to, or the organizer.</summary>
    public sealed record Person(string Email, string? Name);

    /// <summary>A <c>METHOD:REQUEST</c> calendar: the invitation, or an update when <see cref="ScheduledMeeting.Sequence"/> grew.</summary>
    public static string Request(ScheduledMeeting meeting, Person organizer, Person attendee, Uri joinLink, DateTimeOffset stamp) =>
        Serialize(Build(meeting, organizer, attendee, joinLink, stamp, "REQUEST"));

    /// <summary>A <c>METHOD:CANCEL</c> calendar (STATUS:CANCELLED): the whole meeting, or this attendee only.</summary>
    public static string Cancel(ScheduledMeeting meeting, Person organizer, Person attendee, Uri joinLink, DateTimeOffset stamp) =>
        Serialize(Build(meeting, organizer, attendee, joinLink, stamp, "CANCEL"));

    /// <summary>The host's feed: every event as PUBLISH (RFC 5546 §3.2.1), no attendees, the host's own link.</summary>
    public static string Feed(IEnumerable<(ScheduledMeeting Meeting, Uri Link)> meetings, Person organizer, DateTimeOffset stamp)
    {
        var calendar = NewCalendar("PUBLISH");
        foreach (var (meeting, link) in meetings)
        {
            AddEvent(calendar, meeting, organizer, attendee: null, link, stamp, cancelled: meeting.CancelledAt is not null);
        }
        return Serialize(calendar);
    }

    static Calendar Build(ScheduledMeeting meeting, Person organizer, Person attendee, Uri joinLink, DateTimeOffset stamp, string method)
    {
        var calendar = NewCalendar(method);
        AddEvent(calendar, meeting, organizer, attendee, joinLink, stamp, cancelled: method == "CANCEL");
        return calendar;
    }

    static Calendar NewCalendar(string method) => new() { ProductId = ProductId, Method = method };

    static void AddEvent(Calendar calendar, ScheduledMeeting meeting, Person organizer, Person? attendee, Uri joinLink,
        DateTimeOffset stamp, bool cancelled)
    {
        if (!calendar.TimeZones.Any(t => t.TzId == meeting.TimeZone))
        {
            calendar.AddTimeZone(meeting.TimeZone);
        }
        var zone = Zone(meeting.TimeZone);
        var start = LocalDateTime.FromDateTime(meeting.StartLocal);
        var end = (zone.AtLeniently(start).ToInstant() + NodaTime.Duration.FromTimeSpan(meeting.Duration)).InZone(zone).LocalDateTime;
        var calendarEvent = new CalendarEvent
        {
            Uid = meeting.Uid,
            Sequence = meeting.Sequence,
            DtStamp = new CalDateTime(stamp.UtcDateTime, "UTC"),
            DtStart = new CalDateTime(start.ToDateTimeUnspecified(), meeting.TimeZone),
            DtEnd = new CalDateTime(end.ToDateTimeUnspecified(), meeting.TimeZone),
            Summary = meeting.Title,
            Description = Describe(meeting, joinLink),
            Location = joinLink.ToString(),
            Url = joinLink,
            Status = cancelled ? "CANCELLED" : "CONFIRMED",
            Transparency = "OPAQUE",
            Organizer = new Organizer("mailto:" + organizer.Email) { CommonName = organizer.Name },
        };
        if (attendee is not null)
        {
            calendarEvent.Attendees.Add(new Attendee("mailto:" + attendee.Email)
            {
                CommonName = attendee.Name,
                Role = "REQ-PARTICIPANT",
                ParticipationStatus = cancelled ? "DECLINED" : "NEEDS-ACTION",
                Rsvp = !cancelled,
            });
        }
        if (meeting.Recurrence != Recurrence.None && meeting.RecursUntil is { } until)
        {
            // With a TZID start, UNTIL must be UTC (RFC 5545 §3.3.10): the instant the last occurrence may start.
            var lastStart = zone.AtLeniently(LocalDate.FromDateOnly(until).At(start.TimeOfDay)).ToInstant().ToDateTimeUtc();
            calendarEvent.RecurrenceRule = new RecurrencePattern(
                meeting.Recurrence == Recurrence.Daily ? FrequencyType.Daily : FrequencyType.Weekly, 1)
            {
                Until = new CalDateTime(lastStart, "UTC"),
            };
        }
        calendar.Events.Add(calendarEvent);
    }

    static string Describe(ScheduledMeeting meeting, Uri joinLink) =>
        string.IsNullOrWhiteSpace(meeting.Description)
            ? $"Join: {joinLink}"
            : $"{meeting.Description}\n\nJoin: {joinLink}";

    /// <summary>The IANA zone (tzdb) for an id, or throws for an unknown one (validated before).</summary>
    public static DateTimeZone Zone(string timeZone) =>
        DateTimeZoneProviders.Tzdb.GetZoneOrNull(timeZone) ?? throw new ArgumentException($"Unknown time zone '{timeZone}'.", nameof(timeZone));

    /// <summary>
    /// Ical.Net's text, unfolded and folded again by RFC 5545 §3.1: at most 75 octets of UTF-8 per line, never inside
    /// a character. (Ical.Net 5.2.4 folds by UTF-16 units and can cut an emoji's surrogate pair in two, which turns
    /// it into U+FFFD once encoded; InvitationCalendarTests shows it.)
    /// </summary>
    static string Serialize(Calendar calendar)
    {
        var text = new CalendarSerializer().SerializeToString(calendar)!;
        var unfolded = text.Replace("\r\n ", "").Replace("\r\n\t", "");
        var folded = new System.Text.StringBuilder(unfolded.Length + unfolded.Length / 64 * 3);
        foreach (var line in unfolded.Split("\r\n"))
        {
            if (line.Length == 0)
            {
                continue;
            }
            var octets = 0;
            foreach (var rune in line.EnumerateRunes())
            {
                var size = rune.Utf8SequenceLength;
                if (octets + size > 75)
                {
                    folded.Append("\r\n ");
                    octets = 1; // the leading space counts
                }
                folded.Append(rune.ToString());
                octets += size;
            }
            folded.Append("\r\n");
        }
        return folded.ToString();
    }
}
