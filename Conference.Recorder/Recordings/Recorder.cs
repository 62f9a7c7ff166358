using Conference.LiveKit;
using Conference.Recorder.Data;
using Conference.Recorder.Storage;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Conference.Recorder.Recordings;

/// <summary>
/// Starts and stops room-composite egresses, follows what LiveKit says about them, and checks the file in
/// storage before calling a recording Ready. Every path (webhook, reconciler, stop) goes through
/// <see cref="RecordingStates.Apply"/> under a row lock, so the order in which news arrives does not matter.
/// </summary>
public sealed class Recorder(
    RecordingStore store,
    IServiceProvider services,
    IOptions<RecordingOptions> options,
    IOptions<ObjectStorageOptions> storageOptions,
    IConnectionMultiplexer redis,
    TimeProvider clock,
    IHostApplicationLifetime lifetime,
    ILogger<Recorder> logger)
{
    public static readonly string[] Layouts = ["grid", "speaker"];

    EgressClient? Egress => services.GetService<EgressClient>();

    /// <summary>Registered only when the AppHost (or configuration) names a bucket.</summary>
    RecordingStorage? Storage => services.GetService<RecordingStorage>();

    /// <summary>Why recording cannot work on this server, or null when it can.</summary>
    public string? Unavailable => Egress is null ? "LiveKit (and so Egress) is not configured on this server."
        : Storage is null ? "Object storage for recordings is not configured on this server."
        : null;

    public enum StartOutcome { Started, AlreadyRunning, Unavailable }

    public async Task<(StartOutcome Outcome, Recording? Recording, string? Problem)> StartAsync(
        string meetingSlug, string hostId, string layout, bool audioOnly, CancellationToken cancellationToken)
    {
        if (Unavailable is { } reason)
        {
            return (StartOutcome.Unavailable, null, reason);
        }
        var now = Microseconds(clock.GetUtcNow());
        var recording = new Recording
        {
            Id = Guid.CreateVersion7(now),
            MeetingSlug = meetingSlug,
            HostId = hostId,
            Status = RecordingStatus.Starting,
            Layout = layout,
            AudioOnly = audioOnly,
            ObjectKey = $"recordings/{meetingSlug}/{now:yyyyMMdd'T'HHmmssfff'Z'}.mp4",
            StartedAt = now,
        };
        if (!await store.TryInsertAsync(recording, cancellationToken))
        {
            return (StartOutcome.AlreadyRunning, await store.RunningAsync(meetingSlug, cancellationToken), null);
        }

        // Asked once, and not given up when the caller stops waiting: a cancelled StartRoomCompositeEgress may still
        // have started an egress, and its answer (the egress id) is what ties the two together.
        var attempt = StartEgressAsync(recording, lifetime.ApplicationStopping);
        try
        {
            return await attempt.WaitAsync(options.Value.StartAnswerTimeout, clock, cancellationToken);
        }
        catch (TimeoutException)
        {
            // The row says Starting, which is true: the egress's answer, its webhooks or the reconciler move it on,
            // and the page hears of each change (PublishChangeAsync).
            logger.LogWarning("LiveKit has not answered the start of meeting {Meeting}'s recording within {Timeout}; answered Starting, and its answer is applied when it comes",
                meetingSlug, options.Value.StartAnswerTimeout);
            _ = attempt.ContinueWith(failed => logger.LogError(failed.Exception, "Starting meeting {Meeting}'s recording failed after its answer", meetingSlug),
                CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            return (StartOutcome.Started, recording, null);
        }
    }

    async Task<(StartOutcome Outcome, Recording? Recording, string? Problem)> StartEgressAsync(Recording recording, CancellationToken cancellationToken)
    {
        var meetingSlug = recording.MeetingSlug;
        EgressInfo egress;
        try
        {
            egress = await Egress!.StartRoomCompositeEgressAsync(EgressRequest(recording), cancellationToken);
        }
        catch (Exception exception) when (exception is LiveKitException or Polly.CircuitBreaker.BrokenCircuitException)
        {
            // LiveKit said no (or was not asked): nothing is recording. Free the meeting for another attempt and keep
            // the failure visible to the host.
            var failed = recording with { Status = RecordingStatus.Failed, EndedAt = clock.GetUtcNow(), Error = $"LiveKit refused to start recording: {exception.Message}" };
            await store.UpdateAsync(failed, CancellationToken.None);
            await PublishChangeAsync(failed); // a page that was answered "Starting" learns it here
            logger.LogWarning(exception, "Egress did not start for meeting {Meeting}", meetingSlug);
            return (StartOutcome.Unavailable, failed, failed.Error);
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or Polly.Timeout.TimeoutRejectedException)
        {
            // No answer: LiveKit may have started it. The row stays Starting; the reconciler adopts the egress from
            // ListEgress, or fails the recording after the start timeout.
            logger.LogWarning(exception, "No answer from LiveKit to starting meeting {Meeting}'s recording", meetingSlug);
            return (StartOutcome.Unavailable, recording,
                "LiveKit did not answer in time. If the recording started it appears within a few minutes; otherwise it is marked Failed.");
        }
        var started = await ApplyAsync(recording.Id, egress, cancellationToken) ?? recording;
        logger.LogInformation("Recording {Recording} of meeting {Meeting} started as egress {Egress}", recording.Id, meetingSlug, egress.EgressId);
        return (StartOutcome.Started, started, null);
    }

    /// <summary>Asks LiveKit to stop the meeting's running recording; null when nothing is running.</summary>
    public async Task<Recording?> StopAsync(string meetingSlug, CancellationToken cancellationToken)
    {
        var running = await store.RunningAsync(meetingSlug, cancellationToken);
        if (running is null)
        {
            return null;
        }
        if (running.EgressId is null || Egress is null)
        {
            // The egress never started (LiveKit did not answer yet): nothing to stop on LiveKit's side.
            var stopped = (await store.ChangeAsync(running.Id, r => r.Status.IsRunning()
                ? r with { Status = RecordingStatus.Failed, EndedAt = clock.GetUtcNow(), Error = "Stopped before LiveKit started recording." }
                : null, cancellationToken))?.Recording ?? running;
            await PublishChangeAsync(stopped);
            return stopped;
        }
        try
        {
            var egress = await Egress.StopEgressAsync(new StopEgressRequest { EgressId = running.EgressId }, cancellationToken);
            return await ApplyAsync(running.Id, egress, cancellationToken) ?? running;
        }
        catch (LiveKitException exception) when (exception.Code is "not_found" or "failed_precondition")
        {
            // Already ended on LiveKit's side: the reconciler reads how it ended.
            await ReconcileAsync(running, cancellationToken);
            return await store.FindAsync(running.Id, cancellationToken);
        }
    }

    /// <summary>Applies LiveKit's news about an egress of ours; returns the recording as stored after it.</summary>
    public async Task<Recording?> ApplyAsync(EgressInfo egress, CancellationToken cancellationToken)
    {
        // egress_started can overtake LiveKit's answer to our start: then the row has no egress id yet.
        var recording = await store.FindByEgressAsync(egress.EgressId, cancellationToken)
            ?? (egress.RoomComposite is not null ? await store.StartingWithoutEgressAsync(egress.RoomName, cancellationToken) : null);
        return recording is null ? null : await ApplyAsync(recording.Id, egress, cancellationToken);
    }

    async Task<Recording?> ApplyAsync(Guid id, EgressInfo egress, CancellationToken cancellationToken)
    {
        var result = await store.ChangeAsync(id, recording => RecordingStates.Apply(recording, egress, clock.GetUtcNow()), cancellationToken);
        if (result is not { } changed)
        {
            return null;
        }
        if (changed.Changed)
        {
            await PublishChangeAsync(changed.Recording);
        }
        // Also when nothing changed: the reconciler may have seen the end first, and whoever brings the news of the
        // end checks the file at once if a check is due, so the answer to the webhook already says Ready.
        if (changed.Recording is { Status: RecordingStatus.Processing, NextVerifyAt: { } due } && due <= clock.GetUtcNow())
        {
            return await VerifyAsync(changed.Recording.Id, cancellationToken) ?? changed.Recording;
        }
        return changed.Recording;
    }

    /// <summary>
    /// Looks for the finished file: present with bytes → Ready with its size; absent, empty or storage unreachable →
    /// tried again later with a doubling wait, then Failed with the reason after the last attempt.
    /// </summary>
    public async Task<Recording?> VerifyAsync(Guid id, CancellationToken cancellationToken)
    {
        if (Storage is not { } storage)
        {
            return null;
        }
        var recording = await store.FindAsync(id, cancellationToken);
        if (recording is not { Status: RecordingStatus.Processing, NextVerifyAt: not null })
        {
            return recording;
        }
        string problem;
        long? size = null;
        try
        {
            size = await storage.SizeAsync(recording.ObjectKey, cancellationToken);
            problem = size switch
            {
                null => $"the file {recording.ObjectKey} is not in the bucket",
                0 => $"the file {recording.ObjectKey} is empty",
                _ => "",
            };
        }
        catch (Exception exception) when (exception is Amazon.Runtime.AmazonServiceException or HttpRequestException or IOException
            or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            problem = $"object storage could not be reached ({exception.Message})";
        }

        var now = clock.GetUtcNow();
        var result = await store.ChangeAsync(id, current =>
        {
            if (current is not { Status: RecordingStatus.Processing, NextVerifyAt: not null })
            {
                return null;
            }
            if (problem.Length == 0)
            {
                return current with
                {
                    Status = RecordingStatus.Ready,
                    SizeBytes = size,
                    Location = current.Location ?? storage.LocationOf(current.ObjectKey),
                    NextVerifyAt = null,
                    VerifyAttempts = current.VerifyAttempts + 1,
                };
            }
            var attempts = current.VerifyAttempts + 1;
            if (attempts >= options.Value.MaxVerifyAttempts)
            {
                return current with
                {
                    Status = RecordingStatus.Failed,
                    Error = Sentence.WithDetail($"The recording ended but its file could not be verified after {attempts} attempts", problem),
                    NextVerifyAt = null,
                    VerifyAttempts = attempts,
                };
            }
            return current with { VerifyAttempts = attempts, NextVerifyAt = now + options.Value.VerifyRetryDelay * Math.Pow(2, attempts - 1) };
        }, cancellationToken);
        if (result is { Changed: true } changed)
        {
            await PublishChangeAsync(changed.Recording);
            if (changed.Recording.Status.IsFinal())
            {
                logger.LogInformation("Recording {Recording} is {Status}: {Detail}", id, changed.Recording.Status, changed.Recording.Error ?? $"{size} bytes");
            }
            else
            {
                logger.LogWarning("Recording {Recording}: {Problem}; checking again at {Next}", id, problem, changed.Recording.NextVerifyAt);
            }
        }
        return result?.Recording;
    }

    /// <summary>Asks LiveKit how an unfinished recording's egress is and applies the answer.</summary>
    public async Task ReconcileAsync(Recording recording, CancellationToken cancellationToken)
    {
        if (Egress is not { } egressClient)
        {
            return;
        }
        if (recording.EgressId is null)
        {
            // The recorder stopped between storing the row and LiveKit's answer. LiveKit may have started the
            // egress all the same: adopt a running one of this room that no recording owns; else, once it is old,
            // the start never happened.
            if (recording.Status != RecordingStatus.Starting || clock.GetUtcNow() - recording.StartedAt <= options.Value.StartTimeout)
            {
                return;
            }
            var running = await egressClient.ListEgressAsync(new ListEgressRequest { RoomName = recording.MeetingSlug, Active = true }, cancellationToken);
            foreach (var candidate in running.Items.Where(e => e.RoomComposite is not null))
            {
                if (await store.FindByEgressAsync(candidate.EgressId, cancellationToken) is null)
                {
                    await ApplyAsync(recording.Id, candidate, cancellationToken);
                    return;
                }
            }
            var failed = await store.ChangeAsync(recording.Id, r => r.EgressId is null && r.Status == RecordingStatus.Starting
                ? r with { Status = RecordingStatus.Failed, EndedAt = clock.GetUtcNow(), Error = "LiveKit never confirmed the recording started." }
                : null, cancellationToken);
            if (failed is { Changed: true } stored)
            {
                await PublishChangeAsync(stored.Recording);
            }
            return;
        }
        if (recording.Status == RecordingStatus.Processing && recording.NextVerifyAt is not null)
        {
            return; // LiveKit is done with it; only the storage check remains
        }
        var listed = await egressClient.ListEgressAsync(new ListEgressRequest { EgressId = recording.EgressId }, cancellationToken);
        if (listed.Items.FirstOrDefault(e => e.EgressId == recording.EgressId) is { } egress)
        {
            await ApplyAsync(recording.Id, egress, cancellationToken);
        }
        else
        {
            // LiveKit no longer knows the egress (it restarted, or forgot an old one): whatever was uploaded is
            // all there will be, so look for the file rather than give the recording up.
            logger.LogWarning("LiveKit does not know egress {Egress} of recording {Recording}; looking for its file", recording.EgressId, recording.Id);
            await ApplyAsync(recording.Id, new EgressInfo { EgressId = recording.EgressId, Status = EgressStatus.Complete }, cancellationToken);
        }
    }

    /// <summary>Deletes the file, then the row; a file already gone is fine.</summary>
    public async Task DeleteAsync(Recording recording, CancellationToken cancellationToken)
    {
        if (Storage is { } storage)
        {
            await storage.DeleteAsync(recording.ObjectKey, cancellationToken);
        }
        await store.DeleteAsync(recording.Id, cancellationToken);
        // A deleted running recording also stops the "being recorded" flag.
        await PublishChangeAsync(recording.Status.IsRunning() ? recording with { Status = RecordingStatus.Failed } : recording);
    }

    RoomCompositeEgressRequest EgressRequest(Recording recording)
    {
        var storage = storageOptions.Value;
        return new RoomCompositeEgressRequest
        {
            RoomName = recording.MeetingSlug,
            Layout = recording.Layout,
            AudioOnly = recording.AudioOnly ? true : null,
            Preset = recording.AudioOnly ? null : EncodingOptionsPreset.H264720P30,
            FileOutputs =
            [
                new EncodedFileOutput
                {
                    FileType = EncodedFileType.Mp4,
                    Filepath = recording.ObjectKey,
                    DisableManifest = true,
                    S3 = new S3Upload
                    {
                        Endpoint = (storage.EgressEndpoint ?? storage.Endpoint)!.ToString().TrimEnd('/'),
                        Region = storage.Region,
                        Bucket = storage.Bucket,
                        AccessKey = storage.AccessKey,
                        Secret = storage.SecretKey,
                        ForcePathStyle = true,
                    },
                },
            ],
        };
    }

    const string DeleteIfOwnFlag = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

    /// <summary>
    /// Keeps the "being recorded" flag the api shows in step with the recording, and tells open pages (the call's
    /// indicator, the recordings library) that the recording changed: started, stopped, processing, ready, failed or
    /// deleted. A lost flag only hides a badge; a lost message only delays a page until its next change.
    /// </summary>
    async Task PublishChangeAsync(Recording recording)
    {
        try
        {
            var database = redis.GetDatabase();
            var key = SharedRedisKeys.RecordingFlag(recording.MeetingSlug);
            if (recording.Status.IsRunning())
            {
                await database.StringSetAsync(key, recording.Id.ToString(), TimeSpan.FromHours(25), When.NotExists);
            }
            else
            {
                // Only this recording's flag: a later recording of the meeting may be running already.
                await database.ScriptEvaluateAsync(DeleteIfOwnFlag, [key], [recording.Id.ToString()]);
            }
            await redis.GetSubscriber().PublishAsync(RedisChannel.Literal(MeetingChange.Channel),
                System.Text.Json.JsonSerializer.Serialize(new MeetingChange(recording.MeetingSlug, MeetingChangeKind.Recording)));
        }
        catch (RedisException exception)
        {
            logger.LogWarning(exception, "Could not update the recording flag of meeting {Meeting}", recording.MeetingSlug);
        }
    }

    /// <summary>Postgres keeps microseconds; keeping the same here lets page cursors compare exactly.</summary>
    static DateTimeOffset Microseconds(DateTimeOffset value) => new(value.UtcTicks - value.UtcTicks % 10, TimeSpan.Zero);
}
