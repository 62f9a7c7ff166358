using System.Text;
using Conference.Api.Scheduling;
using Ical.Net;
using Ical.Net.CalendarComponents;

namespace Conference.Tests.Scheduling;

/// <summary>
/// The .ics the api sends, parsed back with Ical.Net field by field and checked against RFC 5545's rules on the raw
/// text: CRLF line ends, folding at 75 octets (never inside a UTF-8 sequence), escaping, TZID times across a DST change.
/// </summary>
public sealed class InvitationCalendarTests
{
    static readonly Uri Link = new("https://meet.example.org/m/abc-defg-hij?invite=0123456789abcdef0123456789abcdef");
    static readonly Invitations.Person Organizer = new("host@example.org", "Ada Host");
    static readonly Invitations.Person Attendee = new("bob@example.org", "Bob Müller");
    static readonly DateTimeOffset Stamp = new(2027, 3, 1, 12, 0, 0, TimeSpan.Zero);

    static ScheduledMeeting Weekly(string? description = null) => new()
    {
        Id = Guid.NewGuid(),
        HostId = "host",
        Uid = "0f8fad5b-d9cb-469f-a165-70867728950e@conference",
        Sequence = 2,
        Title = "Weekly sync; planning, review",
        Description = description,
        StartLocal = new DateTime(2027, 3, 15, 9, 0, 0),
        TimeZone = "Europe/Berlin",
        Duration = TimeSpan.FromMinutes(45),
        Recurrence = Recurrence.Weekly,
        RecursUntil = new DateOnly(2027, 4, 5),
    };

    [Fact]
    public void A_request_reads_back_field_by_field()
    {
        var meeting = Weekly("Agenda: budget, hiring; and \"notes\"\nSecond line \\ backslash");
        var text = Invitations.Request(meeting, Organizer, Attendee, Link, Stamp);
        var calendar = Calendar.Load(text)!;

        Assert.Equal("REQUEST", calendar.Method);
        Assert.Equal(Invitations.ProductId, calendar.ProductId);
        Assert.Equal("2.0", calendar.Version);
        var timeZone = Assert.Single(calendar.TimeZones);
        Assert.Equal("Europe/Berlin", timeZone.TzId);
        var calendarEvent = Assert.Single(calendar.Events);
        Assert.Equal(meeting.Uid, calendarEvent.Uid);
        Assert.Equal(2, calendarEvent.Sequence);
        Assert.Equal("Weekly sync; planning, review", calendarEvent.Summary);
        Assert.Equal($"{meeting.Description}\n\nJoin: {Link}", calendarEvent.Description);
        Assert.Equal(Link.ToString(), calendarEvent.Location);
        Assert.Equal(Link, calendarEvent.Url);
        Assert.Equal("CONFIRMED", calendarEvent.Status);
        Assert.Equal("Europe/Berlin", calendarEvent.DtStart!.TzId);
        Assert.Equal(new DateTime(2027, 3, 15, 9, 0, 0), calendarEvent.DtStart.Value);
        Assert.Equal("Europe/Berlin", calendarEvent.DtEnd!.TzId);
        Assert.Equal(new DateTime(2027, 3, 15, 9, 45, 0), calendarEvent.DtEnd.Value);
        Assert.Equal(new DateTime(2027, 3, 1, 12, 0, 0), calendarEvent.DtStamp!.Value);
        Assert.True(calendarEvent.DtStamp.IsUtc);

        Assert.Equal(new Uri("mailto:host@example.org"), calendarEvent.Organizer!.Value);
        Assert.Equal("Ada Host", calendarEvent.Organizer.CommonName);
        var attendee = Assert.Single(calendarEvent.Attendees);
        Assert.Equal(new Uri("mailto:bob@example.org"), attendee.Value);
        Assert.Equal("Bob Müller", attendee.CommonName);
        Assert.Equal("NEEDS-ACTION", attendee.ParticipationStatus);
        Assert.Equal("REQ-PARTICIPANT", attendee.Role);
        Assert.True(attendee.Rsvp);

        var rule = calendarEvent.RecurrenceRule!;
        Assert.Equal(FrequencyType.Weekly, rule.Frequency);
        // UNTIL is UTC with a TZID start (RFC 5545 §3.3.10): 2027-04-05 09:00 in Berlin (CEST) is 07:00Z.
        Assert.True(rule.Until!.IsUtc);
        Assert.Equal(new DateTime(2027, 4, 5, 7, 0, 0), rule.Until.Value);
        Assert.Contains("RRULE:FREQ=WEEKLY;UNTIL=20270405T070000Z", Unfold(text));
    }

    [Fact]
    public void Times_keep_the_wall_clock_across_the_daylight_saving_change()
    {
        // Berlin moves from CET (+01:00) to CEST (+02:00) on 2027-03-28: 09:00 stays 09:00, UTC moves an hour.
        var calendar = Calendar.Load(Invitations.Request(Weekly(), Organizer, Attendee, Link, Stamp))!;
        var occurrences = calendar.Events[0]!.GetOccurrences().ToList();
        Assert.Equal(4, occurrences.Count);
        Assert.All(occurrences, o => Assert.Equal(new TimeOnly(9, 0), TimeOnly.FromDateTime(o.Period.StartTime.Value)));
        Assert.Equal(
            [new DateTime(2027, 3, 15, 8, 0, 0), new DateTime(2027, 3, 22, 8, 0, 0), new DateTime(2027, 3, 29, 7, 0, 0), new DateTime(2027, 4, 5, 7, 0, 0)],
            occurrences.Select(o => o.Period.StartTime.AsUtc));

        // The VTIMEZONE carries both rules: Thunderbird and Outlook use it rather than guessing the zone.
        var text = Unfold(Invitations.Request(Weekly(), Organizer, Attendee, Link, Stamp));
        Assert.Contains("BEGIN:VTIMEZONE", text);
        Assert.Contains("TZID:Europe/Berlin", text);
        Assert.Contains("BEGIN:DAYLIGHT", text);
        Assert.Contains("BEGIN:STANDARD", text);
        Assert.Contains("TZOFFSETTO:+0200", text);
        Assert.Contains("TZOFFSETTO:+0100", text);
        Assert.Contains("DTSTART;TZID=Europe/Berlin:20270315T090000", text);
    }

    [Fact]
    public void The_end_of_a_meeting_spanning_the_change_is_its_duration_later_in_real_time()
    {
        // 01:30 + 60 minutes on the night the clocks skip 02:00-03:00 ends at 03:30 local, not 02:30 (which does not exist).
        var meeting = Weekly();
        meeting.Recurrence = Recurrence.None;
        meeting.RecursUntil = null;
        meeting.StartLocal = new DateTime(2027, 3, 28, 1, 30, 0);
        meeting.Duration = TimeSpan.FromMinutes(60);
        var text = Invitations.Request(meeting, Organizer, Attendee, Link, Stamp);
        Assert.Contains("DTEND;TZID=Europe/Berlin:20270328T033000", Unfold(text));
        var calendarEvent = Calendar.Load(text)!.Events[0]!;
        Assert.Null(calendarEvent.RecurrenceRule);
        Assert.Equal(TimeSpan.FromHours(1), calendarEvent.DtEnd!.AsUtc - calendarEvent.DtStart!.AsUtc);
    }

    [Fact]
    public void Lines_end_in_CRLF_and_fold_at_75_octets_without_splitting_a_character()
    {
        var meeting = Weekly(string.Concat(Enumerable.Repeat("Grüße aus Köln 👩🏽‍💻, ", 30)));
        meeting.Title = string.Concat(Enumerable.Repeat("Überlänge ", 20));
        var bytes = Encoding.UTF8.GetBytes(Invitations.Request(meeting, Organizer, Attendee, Link, Stamp));
        var strict = new UTF8Encoding(false, throwOnInvalidBytes: true);
        var lines = SplitCrlf(bytes);
        Assert.True(lines.Count > 20);
        var folded = 0;
        foreach (var line in lines)
        {
            Assert.DoesNotContain((byte)'\n', line);
            Assert.DoesNotContain((byte)'\r', line);
            Assert.True(line.Length <= 75, $"{line.Length} octets: {Encoding.UTF8.GetString(line)}");
            // Throws when a fold cut a UTF-8 sequence in two; U+FFFD is what a cut surrogate pair becomes.
            Assert.DoesNotContain('\uFFFD', strict.GetString(line));
            folded += line.Length > 0 && line[0] == (byte)' ' ? 1 : 0;
        }
        Assert.True(folded > 5, "long DESCRIPTION and SUMMARY fold");
        var calendarEvent = Calendar.Load(Encoding.UTF8.GetString(bytes))!.Events[0]!;
        Assert.Equal(meeting.Title, calendarEvent.Summary);
        Assert.Equal($"{meeting.Description}\n\nJoin: {Link}", calendarEvent.Description);
    }

    [Fact]
    public void Text_values_escape_commas_semicolons_backslashes_and_newlines()
    {
        var meeting = Weekly("a,b;c\\d\ne");
        var text = Unfold(Invitations.Request(meeting, Organizer, Attendee, Link, Stamp));
        Assert.Contains(@"SUMMARY:Weekly sync\; planning\, review", text);
        Assert.Contains(@"DESCRIPTION:a\,b\;c\\d\ne\n\nJoin: ", text);
    }

    [Fact]
    public void A_cancel_has_the_same_uid_and_says_cancelled()
    {
        var meeting = Weekly();
        meeting.Sequence = 3;
        var calendar = Calendar.Load(Invitations.Cancel(meeting, Organizer, Attendee, Link, Stamp))!;
        Assert.Equal("CANCEL", calendar.Method);
        var calendarEvent = Assert.Single(calendar.Events);
        Assert.Equal(meeting.Uid, calendarEvent.Uid);
        Assert.Equal(3, calendarEvent.Sequence);
        Assert.Equal("CANCELLED", calendarEvent.Status);
        Assert.Equal(new Uri("mailto:bob@example.org"), Assert.Single(calendarEvent.Attendees).Value);
    }

    /// <summary>Undoes folding (RFC 5545 §3.1): a CRLF followed by one space or tab joins the lines.</summary>
    static string Unfold(string text) => text.Replace("\r\n ", "").Replace("\r\n\t", "");

    static List<byte[]> SplitCrlf(byte[] bytes)
    {
        var lines = new List<byte[]>();
        var start = 0;
        for (var i = 0; i < bytes.Length - 1; i++)
        {
            if (bytes[i] == '\r' && bytes[i + 1] == '\n')
            {
                lines.Add(bytes[start..i]);
                start = i + 2;
                i++;
            }
        }
        Assert.Equal(bytes.Length, start); // the last line ends in CRLF too, and nothing follows it
        return lines;
    }
}
