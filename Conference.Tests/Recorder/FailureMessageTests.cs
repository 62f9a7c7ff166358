using Conference.Contracts;
using Conference.LiveKit;
using Conference.Recorder.Recordings;

namespace Conference.Tests.Recorder;

/// <summary>
/// Why a recording failed is read by the host: LiveKit's (or S3's) message joined once, with one full stop, whether
/// or not the message brought its own (s3rver's "…does not exist in our records." came out with two).
/// </summary>
public sealed class FailureMessageTests
{
    static readonly DateTimeOffset Now = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    static Recording Running() => new()
    {
        Id = Guid.NewGuid(), MeetingSlug = "abc-defg-hij", HostId = "host", Status = RecordingStatus.Recording, Layout = "grid",
        ObjectKey = "recordings/abc-defg-hij/x.mp4", StartedAt = Now.AddMinutes(-1), EgressId = "EG_1",
    };

    [Theory]
    [InlineData(EgressStatus.Failed, "The AWS Access Key Id you provided does not exist in our records.",
        "LiveKit could not record: The AWS Access Key Id you provided does not exist in our records.")]
    [InlineData(EgressStatus.Failed, "upload failed", "LiveKit could not record: upload failed.")]
    [InlineData(EgressStatus.Failed, "is the bucket there? ", "LiveKit could not record: is the bucket there?")]
    [InlineData(EgressStatus.Failed, "", "LiveKit could not record: no reason given.")]
    [InlineData(EgressStatus.Aborted, "Start signal not received.", "The recording was aborted by LiveKit: Start signal not received.")]
    [InlineData(EgressStatus.Aborted, "", "The recording was aborted by LiveKit.")]
    public void A_failed_egress_is_told_in_one_sentence(EgressStatus status, string error, string expected)
    {
        var failed = RecordingStates.Apply(Running(), new EgressInfo { EgressId = "EG_1", Status = status, Error = error }, Now);

        Assert.Equal(expected, failed!.Error);
    }

    [Theory]
    [InlineData("Could not verify", "object storage could not be reached (Connection refused)", "Could not verify: object storage could not be reached (Connection refused).")]
    [InlineData("Could not verify", "Access Denied.", "Could not verify: Access Denied.")]
    [InlineData("Could not verify", "  ", "Could not verify: no reason given.")]
    public void A_detail_is_joined_with_exactly_one_full_stop(string lead, string detail, string expected) =>
        Assert.Equal(expected, Sentence.WithDetail(lead, detail));
}
