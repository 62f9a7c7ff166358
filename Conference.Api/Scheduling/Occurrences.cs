using NodaTime;

namespace Conference.Api.Scheduling;

/// <summary>
/// When a scheduled meeting happens: its first start, then every day or week at the same wall-clock time in its zone
/// (so 09:00 stays 09:00 across a daylight-saving change) until <see cref="ScheduledMeeting.RecursUntil"/>, as RRULE
/// FREQ=DAILY/WEEKLY;UNTIL= in its invitation says. A start that falls in a DST gap moves forward (RFC 5545 §3.3.5).
/// </summary>
public static class Occurrences
{
    /// <summary>How many occurrences a series may have at most (a daily meeting for two years).</summary>
    public const int MaxCount = 750;

    /// <summary>The instant a wall-clock time in a zone is: the earlier of an ambiguous hour, shifted past a gap.</summary>
    public static DateTimeOffset ToInstant(DateTime local, string timeZone) =>
        Invitations.Zone(timeZone).AtLeniently(LocalDateTime.FromDateTime(local)).ToDateTimeOffset().ToUniversalTime();

    /// <summary>The first occurrence that starts after <paramref name="after"/>, or null when the series is over.</summary>
    public static DateTimeOffset? NextStart(ScheduledMeeting meeting, DateTimeOffset after)
    {
        foreach (var start in Starts(meeting, after))
        {
            if (start > after)
            {
                return start;
            }
        }
        return null;
    }

    /// <summary>The first occurrence still running or to come at <paramref name="now"/> (it ends after now), or null.</summary>
    public static DateTimeOffset? CurrentOrNextStart(ScheduledMeeting meeting, DateTimeOffset now) =>
        NextStart(meeting, now - meeting.Duration);

    /// <summary>Occurrence starts in order, beginning near <paramref name="from"/> (a few before it, never after).</summary>
    static IEnumerable<DateTimeOffset> Starts(ScheduledMeeting meeting, DateTimeOffset from)
    {
        var zone = Invitations.Zone(meeting.TimeZone);
        var first = LocalDateTime.FromDateTime(meeting.StartLocal);
        if (meeting.Recurrence == Recurrence.None || meeting.RecursUntil is not { } until)
        {
            yield return zone.AtLeniently(first).ToDateTimeOffset().ToUniversalTime();
            yield break;
        }
        var stepDays = meeting.Recurrence == Recurrence.Daily ? 1 : 7;
        var lastDate = LocalDate.FromDateOnly(until);
        // Skip whole steps up to a day before 'from' (a zone's offset is within ±14 h), so a long series is not walked.
        var fromDate = Instant.FromDateTimeOffset(from).InZone(zone).Date.PlusDays(-1);
        var skipped = Math.Max(0, Period.Between(first.Date, fromDate, PeriodUnits.Days).Days / stepDays);
        for (var date = first.Date.PlusDays(skipped * stepDays); date <= lastDate; date = date.PlusDays(stepDays))
        {
            yield return zone.AtLeniently(date.At(first.TimeOfDay)).ToDateTimeOffset().ToUniversalTime();
        }
    }
}
