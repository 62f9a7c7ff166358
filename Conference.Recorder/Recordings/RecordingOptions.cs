namespace Conference.Recorder.Recordings;

/// <summary>The <c>Recordings</c> configuration section.</summary>
public sealed class RecordingOptions
{
    public const string SectionName = "Recordings";

    /// <summary>
    /// Finished recordings older than this many days are deleted, file first, until an admin sets a retention in the
    /// site settings (the recorder stores that one, and it wins). 0 keeps them for ever.
    /// </summary>
    public int RetentionDays { get; set; } = 30;

    /// <summary>How often the reconciler compares our recordings with LiveKit's ListEgress and retries storage checks.</summary>
    public TimeSpan ReconcileInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How many times the file is looked for in storage after egress ended before the recording is Failed.</summary>
    public int MaxVerifyAttempts { get; set; } = 5;

    /// <summary>The wait after the first failed storage check; it doubles each time.</summary>
    public TimeSpan VerifyRetryDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a start waits for LiveKit's answer before answering "Starting" without it (the request goes on, and
    /// its answer is applied when it comes). LiveKit answers StartRoomCompositeEgress as soon as an egress worker
    /// accepts it; a slower answer must not run into the callers' 10 s attempt timeouts (the api's to the recorder,
    /// the web's to the api), which would report a failure for a recording that started.
    /// </summary>
    public TimeSpan StartAnswerTimeout { get; set; } = TimeSpan.FromSeconds(4);

    /// <summary>A recording still Starting with no egress id after this long never reached LiveKit.</summary>
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromMinutes(2);
}
