using System.Net.Mail;
using Conference.Contracts;
using static Conference.Api.Scheduling.SchedulingApi;

namespace Conference.Api.Scheduling;

/// <summary>Checks a schedule request field by field, so each problem names its field (RFC 7807 <c>errors</c>).</summary>
static class ScheduleValidation
{
    /// <summary>How far ahead a meeting, or the end of its series, may be.</summary>
    public static readonly TimeSpan Horizon = TimeSpan.FromDays(2 * 366);

    /// <summary>The details of a valid request (NFC title, UTC first start), ready to apply to a schedule.</summary>
    public sealed record ValidDetails(string Title, string? Description, DateTime StartLocal, string TimeZone, DateTimeOffset StartsAt,
        TimeSpan Duration, Recurrence Recurrence, DateOnly? RecursUntil)
    {
        public void ApplyTo(ScheduledMeeting scheduled)
        {
            scheduled.Title = Title;
            scheduled.Description = Description;
            scheduled.StartLocal = StartLocal;
            scheduled.TimeZone = TimeZone;
            scheduled.StartsAt = StartsAt;
            scheduled.Duration = Duration;
            scheduled.Recurrence = Recurrence;
            scheduled.RecursUntil = RecursUntil;
        }

        /// <summary>Whether applying these would change the calendar event (and so needs a new SEQUENCE).</summary>
        public bool DiffersFrom(ScheduledMeeting s) =>
            Title != s.Title || Description != s.Description || StartLocal != s.StartLocal || TimeZone != s.TimeZone
            || Duration != s.Duration || Recurrence != s.Recurrence || RecursUntil != s.RecursUntil;
    }

    public sealed record ValidInvitee(string Email, string? Name);

    public static ValidDetails? Details(ScheduleRequest request, DateTimeOffset now, out Validation validation)
    {
        validation = new Validation().PersonText("title", request.Title, Meetings.MeetingsApi.MaxTitleLength, out var title);
        string? description = null;
        if (!string.IsNullOrWhiteSpace(request.Description))
        {
            description = request.Description.Replace("\r\n", "\n").Trim();
            if (description.Length > MaxDescriptionLength)
            {
                validation.Add("description", $"The description must be at most {MaxDescriptionLength} characters.");
            }
            else if (description.Any(c => char.IsControl(c) && c is not '\n' and not '\t'))
            {
                validation.Add("description", "The description must not contain control characters other than line breaks and tabs.");
            }
            else if (!TryNormalize(ref description))
            {
                validation.Add("description", "The description is not valid Unicode text.");
            }
        }

        var zone = string.IsNullOrWhiteSpace(request.TimeZone) ? null : NodaTime.DateTimeZoneProviders.Tzdb.GetZoneOrNull(request.TimeZone);
        if (zone is null)
        {
            validation.Add("timeZone", string.IsNullOrWhiteSpace(request.TimeZone)
                ? "The time zone is required (an IANA id such as Europe/Berlin)."
                : $"'{request.TimeZone}' is not an IANA time zone id (such as Europe/Berlin).");
        }

        DateTimeOffset startsAt = default;
        if (request.Start is not { } start)
        {
            validation.Add("start", "The start is required: the wall-clock time in the time zone, e.g. 2027-03-15T09:00.");
        }
        else if (start.Kind != DateTimeKind.Unspecified)
        {
            validation.Add("start", "Give the start as wall-clock time without an offset or Z; the time zone says where it is.");
        }
        else if (zone is not null)
        {
            var mapping = zone.MapLocal(NodaTime.LocalDateTime.FromDateTime(start));
            if (mapping.Count == 0)
            {
                validation.Add("start", $"{start:yyyy-MM-dd HH:mm} does not exist in {request.TimeZone}: the clocks skip it (daylight saving time).");
            }
            else
            {
                startsAt = mapping.First().ToDateTimeOffset().ToUniversalTime();
                if (startsAt <= now)
                {
                    validation.Add("start", "The start must be in the future.");
                }
                else if (startsAt > now + Horizon)
                {
                    validation.Add("start", "The start must be within two years.");
                }
            }
        }

        if (request.DurationMinutes is not { } minutes)
        {
            validation.Add("durationMinutes", "The duration is required (minutes).");
        }
        else
        {
            validation.Range("durationMinutes", minutes, 5, 24 * 60);
        }

        var recurrence = request.Recurrence ?? Recurrence.None;
        if (!Enum.IsDefined(recurrence))
        {
            validation.Add("recurrence", "The recurrence is None, Daily or Weekly.");
        }
        else if (recurrence == Recurrence.None && request.RecursUntil is not null)
        {
            validation.Add("recursUntil", "An end date needs a recurrence (Daily or Weekly).");
        }
        else if (recurrence != Recurrence.None)
        {
            if (request.RecursUntil is not { } until)
            {
                validation.Add("recursUntil", "A recurring meeting needs the last date it may happen on.");
            }
            else if (request.Start is { } first && until < DateOnly.FromDateTime(first))
            {
                validation.Add("recursUntil", "The series cannot end before its first meeting.");
            }
            else if (request.Start is { } from && until.ToDateTime(TimeOnly.MinValue) > from + Horizon)
            {
                validation.Add("recursUntil", "A series may last at most two years.");
            }
        }

        return validation.IsValid
            ? new ValidDetails(title, description, request.Start!.Value, request.TimeZone!, startsAt, TimeSpan.FromMinutes(request.DurationMinutes!.Value),
                recurrence, recurrence == Recurrence.None ? null : request.RecursUntil)
            : null;
    }

    /// <summary>Addresses (lower-cased, one each) and names; <paramref name="field"/> prefixes each problem (<c>invitees[2].email</c>).</summary>
    public static List<ValidInvitee> Invitees(IReadOnlyList<InviteeRequest?>? requested, Validation validation, string field, bool single = false)
    {
        var valid = new List<ValidInvitee>();
        if (requested is null)
        {
            return valid;
        }
        if (requested.Count > MaxInvitees)
        {
            validation.Add(field, $"A meeting takes at most {MaxInvitees} invitees.");
            return valid;
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < requested.Count; i++)
        {
            var prefix = single ? "" : $"{field}[{i}].";
            var invitee = requested[i];
            var email = invitee?.Email?.Trim().ToLowerInvariant();
            if (!IsEmailAddress(email))
            {
                validation.Add(prefix + "email", "A valid email address is required, e.g. someone@example.org.");
                continue;
            }
            if (!seen.Add(email!))
            {
                validation.Add(prefix + "email", $"{email} is in the list twice.");
                continue;
            }
            string? name = null;
            if (!string.IsNullOrWhiteSpace(invitee!.Name))
            {
                validation.PersonText(prefix + "name", invitee.Name, TextLimits.DisplayName, out var normalized);
                name = normalized;
            }
            valid.Add(new ValidInvitee(email!, name));
        }
        return valid;
    }

    /// <summary>One plain address (RFC 5321 length limits), no display name, no list, no control characters.</summary>
    static bool IsEmailAddress(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > 254 || value.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)) || !value.Contains('@')
            || !IsWellFormedText(value))
        {
            return false;
        }
        return MailAddress.TryCreate(value, out var address) && address.Address == value && address.User.Length <= 64 && address.Host.Contains('.');
    }

    /// <summary>
    /// No lone surrogates (such text cannot be encoded as UTF-8, so Postgres and SMTP could not take it) and nothing
    /// ICU's normaliser refuses (noncharacters such as U+FFFF), which Identity's email lookup normalises.
    /// </summary>
    public static bool IsWellFormedText(string value)
    {
        try
        {
            StrictUtf8.GetByteCount(value);
            _ = value.Normalize();
            return true;
        }
        catch (ArgumentException) // EncoderFallbackException is one too
        {
            return false;
        }
    }

    static readonly System.Text.UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    static bool TryNormalize(ref string text)
    {
        try
        {
            text = text.Normalize();
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
