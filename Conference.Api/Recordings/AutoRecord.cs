using Conference.Api.Meetings;

namespace Conference.Api.Recordings;

/// <summary>Starts recording when the room of a meeting with auto-record on starts (LiveKit's room_started).</summary>
public sealed class AutoRecord(MeetingCache meetings, RecorderService recorders, ILogger<AutoRecord> logger)
{
    public async Task RoomStartedAsync(string slug, CancellationToken cancellationToken)
    {
        if (await meetings.FindAsync(slug, cancellationToken) is not { Settings.AutoRecord: true } meeting)
        {
            return;
        }
        if (!recorders.IsConfigured)
        {
            logger.LogWarning("Meeting {Meeting} records automatically, but this server has no recorder configured", slug);
            return;
        }
        try
        {
            var reply = await recorders.Client.StartAsync(slug, meeting.HostId, layout: null, audioOnly: null, cancellationToken);
            if (reply.Succeeded)
            {
                logger.LogInformation("Auto-record started recording {Recording} of meeting {Meeting}", reply.Value!.Id, slug);
            }
            else if (reply.StatusCode != StatusCodes.Status409Conflict) // already recording is what we wanted
            {
                logger.LogWarning("Auto-record could not start meeting {Meeting}: {Status} {Problem}", slug, reply.StatusCode, reply.Problem);
            }
        }
        catch (Exception exception) when (exception is HttpRequestException or Polly.ExecutionRejectedException)
        {
            // The room runs on without a recording; the host sees none in the call and can start one by hand.
            logger.LogWarning(exception, "Auto-record could not reach the recorder for meeting {Meeting}", slug);
        }
    }
}
