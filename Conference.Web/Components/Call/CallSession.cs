using Conference.Web.Api;
using Conference.Web.Meetings;
using Microsoft.JSInterop;

namespace Conference.Web.Components.Call;

/// <summary>Where a call is: the page shows the call itself, or one of the status screens.</summary>
public enum CallStatus
{
    /// <summary>Not connected yet: the call page connects after its first render.</summary>
    Idle,
    Connecting,
    Connected,
    Reconnecting,

    /// <summary>The media server did not answer; Retry may help.</summary>
    Unreachable,

    /// <summary>The media server refused the token; a new one is needed.</summary>
    Refused,

    /// <summary>Over: <see cref="CallSession.End"/> says why.</summary>
    Ended,
}

/// <summary>Why a call ended, in the words the status screen uses (mapped from LiveKit's DisconnectReason).</summary>
public enum CallEnd
{
    Left,
    MeetingEnded,
    Removed,
    JoinedElsewhere,
    ServerShutdown,
    ConnectionLost,
    E2eeUnsupported,
    PassphraseMissing,
}

/// <summary>Which side panel is open.</summary>
public enum CallPanel
{
    None,
    Chat,
    People,
}

/// <summary>A reaction floating over the stage for <see cref="CallSession.ReactionLifetime"/>.</summary>
public sealed record FloatingReaction(long Id, string Name, string Emoji);

/// <summary>
/// What the page needs to start a call. <paramref name="Resume"/>: the call is already going on in this browser tab
/// (this circuit replaces one that was lost); the session takes it over instead of joining again, showing it as
/// <paramref name="View"/> with <paramref name="People"/> (what the lost circuit showed) until the tab hands it over.
/// </summary>
public sealed record CallJoin(string Slug, JoinDetails Details, MediaChoices Choices, bool Encrypted, bool Locked, bool Resume = false,
    CallView? View = null, RoomSnapshot? People = null);

/// <summary>
/// How this person looks at the call, kept across a lost circuit with the call itself: the open side panel, the
/// id of the last chat message they have seen (<paramref name="ReadThrough"/>, the sender's message id; null before
/// any), so the chat the browser hands the next circuit counts as unread only what came after it, the layout, and
/// the pinned tile (<paramref name="Pinned"/>, a <see cref="Tile.Key"/>: the LiveKit identity, with "/screen" for a
/// screen share; null when nothing is pinned). A pin whose person left meanwhile is dropped when the call's people
/// arrive. Optional members: state persisted before they existed still reads.
/// </summary>
public sealed record CallView(CallPanel Panel, string? ReadThrough, LayoutMode Layout = LayoutMode.Grid, string? Pinned = null);

/// <summary>
/// One person's call, from connecting to the end: its state (who is here, chat, reactions, lobby, recording, status)
/// and its commands (devices, chat, layout, moderation). It is a plain class, like eShop's ChatState: the call page's
/// components render it and call its commands, and tests drive it without a renderer. The meeting page owns it, so
/// a component that throws can be shown again without leaving the call.
/// <para>
/// Events from the browser arrive on the circuit's dispatcher; changes from Redis and timers are passed through
/// <see cref="Dispatch"/> to it. After every change <see cref="Changed"/> fires.
/// </para>
/// </summary>
public sealed class CallSession : ICallEvents, IAsyncDisposable
{
    /// <summary>Chat messages kept per call; older ones scroll away (chat is not stored anywhere).</summary>
    public const int MaxChatMessages = 200;

    /// <summary>Characters (UTF-16 units) per chat message, as the call module enforces; checked again here.</summary>
    public const int MaxChatLength = Conference.Contracts.TextLimits.ChatMessage;

    /// <summary>Characters of a name shown (LiveKit names come from our tokens; this bounds the damage of any other).</summary>
    public const int MaxNameLength = 100;

    /// <summary>Reactions floating at once; more push the oldest off.</summary>
    public const int MaxReactions = 12;

    public static readonly TimeSpan ReactionLifetime = TimeSpan.FromSeconds(4);

    /// <summary>A token this close to its end is not worth retrying with: the page asks for a new one.</summary>
    public static readonly TimeSpan TokenMargin = TimeSpan.FromSeconds(30);

    public static readonly string[] ReactionEmojis = ["👍", "👏", "😂", "❤️", "🎉", "😮"];

    readonly MediaChoices choices;
    readonly ICallMedia media;
    readonly ModerationClient moderation;
    readonly RecordingsClient recordings;
    readonly MeetingsClient meetings;
    readonly JoinClient joining;
    readonly TimeProvider time;
    readonly IDisposable? changes;
    readonly CancellationTokenSource stop = new();
    readonly List<ChatLine> chat = [];
    readonly List<FloatingReaction> reactions = [];
    long nextReactionId;
    long nextChatSequence;
    bool resume;
    /// <summary>The id of the last chat message this person has seen (the chat panel open, or it was their own).</summary>
    string? readThrough;
    /// <summary>While a taken-over call's chat is handed over: the message the lost circuit had read through.</summary>
    string? handedOverReadThrough;
    string? lastChatId;
    string? lastSpeaker;
    bool wasModerator;

    public CallSession(CallJoin join, ICallMedia media, ModerationClient moderation, RecordingsClient recordings, MeetingsClient meetings,
        JoinClient joining, TimeProvider time, MeetingChangeNotifications? notifications = null)
    {
        Slug = join.Slug;
        Details = join.Details;
        Encrypted = join.Encrypted;
        Locked = join.Locked;
        MicrophoneId = join.Choices.MicrophoneDeviceId;
        CameraId = join.Choices.CameraDeviceId;
        choices = join.Choices;
        resume = join.Resume;
        if (join.View is { } view)
        {
            Panel = view.Panel;
            readThrough = handedOverReadThrough = view.ReadThrough;
            Layout = view.Layout;
            // Checked against the people the call hands over (OnParticipants): gone by then, it is dropped.
            Pinned = view.Pinned;
        }
        if (join.Resume && join.People is { Participants.Count: > 0 } people)
        {
            // The stage as the lost circuit left it, from the first render, while the tab hands the call over (a round
            // trip to the browser, 1–2 s on a loaded server): not "Connecting…" covering the call (newcomer 6).
            Status = CallStatus.Connected;
            Snapshot = people;
            lastSpeaker = CallLayout.LoudestRemote(people);
            Arrange();
            VideoStale = true;
        }
        this.media = media;
        this.moderation = moderation;
        this.recordings = recordings;
        this.meetings = meetings;
        this.joining = joining;
        this.time = time;
        changes = notifications?.Subscribe(Slug, change => Dispatch(() => OnMeetingChangeAsync(change)));
    }

    /// <summary>Fires after every change of state; the call page re-renders.</summary>
    public event Action? Changed;

    /// <summary>Runs work on the circuit's dispatcher (the meeting page passes its InvokeAsync); tests run it inline.</summary>
    public Func<Func<Task>, Task> Dispatch { get; set; } = work => work();

    /// <summary>Asks the page for a new token (join again) when the old one is refused or nearly expired.</summary>
    public Func<Task> RequestRejoin { get; set; } = () => Task.CompletedTask;

    public string Slug { get; }

    public JoinDetails Details { get; private set; }

    /// <summary>
    /// This session took over a call the browser tab was already in, after the circuit before it was lost (a web
    /// server restart, or a circuit evicted while the tab was in the background): nobody left or joined.
    /// </summary>
    public bool Resumed { get; private set; }

    /// <summary>
    /// A call to take over that the tab has not handed over yet: the page starts it (<see cref="ConnectAsync"/>), though
    /// it may already show the call as the lost circuit left it (<see cref="CallJoin.People"/>).
    /// </summary>
    public bool TakeOverPending => resume;

    public bool Encrypted { get; }

    public CallStatus Status { get; private set; } = CallStatus.Idle;

    /// <summary>Set when <see cref="Status"/> is <see cref="CallStatus.Ended"/>.</summary>
    public CallEnd? End { get; private set; }

    /// <summary>
    /// After the meeting ended for everyone (<see cref="CallEnd.MeetingEnded"/>): someone has joined since and a new call
    /// of the meeting is in progress, so the end screen offers to join it instead of saying everyone has left.
    /// </summary>
    public bool CallStartedAgain { get; private set; }

    /// <summary>When this page's call ended (this server's clock), to tell a call started since from the one that ended.</summary>
    DateTimeOffset? endedAt;

    /// <summary>
    /// With <see cref="CallStatus.Unreachable"/>: the api cannot reach the media server either, so it is down (our side),
    /// not the person's connection.
    /// </summary>
    public bool MediaServerDown { get; private set; }

    /// <summary>LiveKit's words for a failure, shown small under the explanation.</summary>
    public string? FailureDetail { get; private set; }

    public RoomSnapshot Snapshot { get; private set; } = RoomSnapshot.Empty;

    public Arrangement Arrangement { get; private set; } = new(null, [], 1);

    public LayoutMode Layout { get; private set; } = LayoutMode.Grid;

    public string? Pinned { get; private set; }

    public IReadOnlyList<ChatLine> Chat => chat;

    public int Unread { get; private set; }

    public CallPanel Panel { get; private set; }

    /// <summary>The open panel, how far the chat was read, the layout and the pin: kept with a call in progress when the circuit goes.</summary>
    public CallView View => new(Panel, readThrough, Layout, Pinned);

    public IReadOnlyList<FloatingReaction> Reactions => reactions;

    public bool Recording { get; private set; }

    /// <summary>
    /// Why this server cannot record (the api says so: no LiveKit Egress or no object storage), or null when it can or
    /// has not said. While set, Record is shown disabled with this reason; a click asks again (storage may be back).
    /// </summary>
    public string? RecordingUnavailable { get; private set; }

    public bool AudioBlocked { get; private set; }

    public bool Locked { get; private set; }

    /// <summary>Something to tell the person (a device failed, a host action was refused); they can dismiss it.</summary>
    public string? Notice { get; private set; }

    /// <summary>Who came and went, for screen readers.</summary>
    public string? Announcement { get; private set; }

    public IReadOnlyList<LobbyEntry> Lobby { get; private set; } = [];

    public Devices Devices { get; private set; } = Devices.None;

    public string? MicrophoneId { get; private set; }

    public string? CameraId { get; private set; }

    public string? SpeakerId { get; private set; }

    /// <summary>The tiles changed: after the next render the page asks the module to put the videos in.</summary>
    public bool VideoStale { get; private set; }

    public ParticipantState? Local => Snapshot.Participants.FirstOrDefault(p => p.IsLocal);

    /// <summary>The role from the token, until LiveKit's metadata says otherwise (a promotion during the call).</summary>
    public bool IsModerator => Local?.IsModerator ?? Details.IsModerator;

    /// <summary>Whether this person is the meeting's host (co-hosts moderate, but only the host ends the meeting for everyone).</summary>
    public bool IsHost => Local?.IsHost ?? Details.IsHost;

    /// <summary>Whether the page shows a full-page status screen instead of the call.</summary>
    public bool ShowsStatusScreen => Status is CallStatus.Idle or CallStatus.Connecting or CallStatus.Unreachable or CallStatus.Refused or CallStatus.Ended;

    string Credential => Details.ParticipantCredential;

    // ---- connecting ----

    /// <summary>Joins LiveKit with the current token (or, once, takes over the call the tab is in: see <see cref="CallJoin"/>).</summary>
    public async Task ConnectAsync()
    {
        if (resume)
        {
            resume = false;
            if (Status == CallStatus.Idle)
            {
                // Nothing of the call to show meanwhile (state persisted before People existed): "Connecting…", and no
                // second start from the next render while the tab hands the call over.
                Status = CallStatus.Connecting;
                Raise();
            }
            if (await TakeOverAsync())
            {
                return;
            }
        }
        Status = CallStatus.Connecting;
        FailureDetail = null;
        MediaServerDown = false;
        End = null;
        CallStartedAgain = false;
        // A rejoin is a new call: what was said in the last one (a mute, someone leaving) is not news in this one.
        Notice = null;
        Announcement = null;
        // A new connection: its first snapshot is whoever is there, not people joining a room it remembers.
        Snapshot = RoomSnapshot.Empty;
        Arrange();
        Raise();
        ConnectResult result;
        try
        {
            result = await media.ConnectAsync(Details.ServerUrl, Details.Token, choices with { MicrophoneDeviceId = MicrophoneId, CameraDeviceId = CameraId },
                Encrypted, this);
        }
        catch (JSException exception)
        {
            // The call module itself failed (it did not load, or threw): as good as unreachable, and Retry may help.
            result = new ConnectResult(false, ConnectFailure.Unreachable, exception.Message);
        }
        if (result.Ok)
        {
            // An event may already have moved the state on (a disconnect during the first moments).
            if (Status == CallStatus.Connecting)
            {
                Status = CallStatus.Connected;
                VideoStale = true; // the stage replaces the status screen: new containers
            }
            Raise();
            await RefreshLobbyAsync();
            await CheckRecordingAsync();
            return;
        }
        FailureDetail = result.Message;
        switch (result.Failure)
        {
            case ConnectFailure.Refused:
                Status = CallStatus.Refused;
                break;
            case ConnectFailure.E2eeUnsupported:
                Finish(CallEnd.E2eeUnsupported);
                break;
            case ConnectFailure.PassphraseMissing:
                Finish(CallEnd.PassphraseMissing);
                break;
            case ConnectFailure.Cancelled:
                break;
            default:
                if (!await MediaServerAnswersAsync())
                {
                    return; // the page is gone
                }
                Status = CallStatus.Unreachable;
                break;
        }
        Raise();
    }

    /// <summary>
    /// The browser could not reach LiveKit: the api says whether it can (a few milliseconds, or LiveKitHealthCheck's
    /// timeout; the page says "Connecting…" meanwhile). If it cannot either, the media server is down, and the page
    /// says so rather than asking the person to check their connection. False when the page went meanwhile.
    /// </summary>
    async Task<bool> MediaServerAnswersAsync()
    {
        try
        {
            MediaServerDown = await joining.MediaServerAnswersAsync(stop.Token) == false;
            return true;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>
    /// Takes over the call going on in the browser tab: its state arrives as events (people, chat so far, recording).
    /// False when the tab is in no call any more (it ended while no circuit was there): the page joins again.
    /// </summary>
    async Task<bool> TakeOverAsync()
    {
        bool attached;
        try
        {
            attached = await media.AttachAsync(this);
        }
        catch (JSException)
        {
            attached = false;
        }
        if (!attached)
        {
            return false;
        }
        Resumed = true;
        if (Status == CallStatus.Connecting)
        {
            Status = CallStatus.Connected;
        }
        VideoStale = true;
        Raise();
        await RefreshLobbyAsync();
        await CheckRecordingAsync();
        return true;
    }

    /// <summary>
    /// The page's connection came back to this circuit (a network drop: the call reconnects in the browser, the circuit
    /// on its own). What the browser told meanwhile never arrived, so it tells the whole state again. What the api
    /// pushed meanwhile did arrive (it comes to the server), and the renders it caused wait for the page.
    /// </summary>
    public async Task OnPageReconnectedAsync()
    {
        if (Status is not (CallStatus.Connected or CallStatus.Reconnecting))
        {
            return;
        }
        try
        {
            await media.ResyncAsync(lastChatId);
        }
        catch (JSException)
        {
            return; // the tab's call module is gone: the next circuit starts afresh
        }
        catch (JSDisconnectedException)
        {
            return; // down again already; the next reconnect resyncs
        }
        VideoStale = true;
        Raise();
    }

    /// <summary>Connects again, or asks for a new token when the current one is about to expire.</summary>
    public async Task RetryAsync()
    {
        if (Details.ExpiresAt - time.GetUtcNow() < TokenMargin)
        {
            await RequestRejoin();
            return;
        }
        await ConnectAsync();
    }

    /// <summary>Joins again with a new token from the api (after a refusal, an expiry, or "Rejoin").</summary>
    public async Task RejoinWithAsync(JoinDetails details)
    {
        Details = details;
        await ConnectAsync();
    }

    public async Task LeaveAsync()
    {
        await media.LeaveAsync();
        Finish(CallEnd.Left);
        Raise();
    }

    void Finish(CallEnd end)
    {
        Status = CallStatus.Ended;
        End = end;
        endedAt = time.GetUtcNow();
        CallStartedAgain = false;
        Recording = false;
        // The end screen says what matters now; a notice about the call (a mute, a refused action) no longer does.
        Notice = null;
        Announcement = null;
    }

    /// <summary>What LiveKit's reason for a disconnect means for the person.</summary>
    public static CallEnd EndFor(DisconnectReason? reason) => reason switch
    {
        DisconnectReason.ClientInitiated => CallEnd.Left,
        DisconnectReason.RoomDeleted or DisconnectReason.RoomClosed => CallEnd.MeetingEnded,
        DisconnectReason.ParticipantRemoved => CallEnd.Removed,
        DisconnectReason.DuplicateIdentity => CallEnd.JoinedElsewhere,
        DisconnectReason.ServerShutdown or DisconnectReason.Migration => CallEnd.ServerShutdown,
        _ => CallEnd.ConnectionLost,
    };

    // ---- events from the browser ----

    public Task OnParticipants(RoomSnapshot value)
    {
        value = TellNamesakesApart(OnePerIdentity(value));
        Announce(Snapshot, value);
        Snapshot = value;
        lastSpeaker = CallLayout.LoudestRemote(value) ?? lastSpeaker;
        if (Pinned is not null && CallLayout.Tiles(value).All(t => t.Key != Pinned))
        {
            Pinned = null; // the pinned person left or stopped sharing
        }
        Arrange();
        Raise();
        // Promoted to co-host during the call: the lobby (and Record) are theirs now.
        return IsModerator && !wasModerator ? PromotedAsync() : Task.CompletedTask;
    }

    /// <summary>
    /// One entry per LiveKit identity, this tab's own first: a remote entry with the local identity is an older
    /// connection of this same person (LiveKit disconnects it with DUPLICATE_IDENTITY, livekit-behaviour.md §1), a
    /// frozen tile of oneself until it goes; of two remote entries with one identity the later (newer) one is kept.
    /// The call module drops the first kind already; this holds whatever the browser sends (tiles are keyed by identity).
    /// </summary>
    static RoomSnapshot OnePerIdentity(RoomSnapshot value)
    {
        var participants = value.Participants;
        var local = participants.FirstOrDefault(p => p.IsLocal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        if (local is not null)
        {
            seen.Add(local.Identity);
        }
        var kept = new List<ParticipantState>(participants.Count);
        for (var i = participants.Count - 1; i >= 0; i--)
        {
            var p = participants[i];
            if (ReferenceEquals(p, local) || seen.Add(p.Identity))
            {
                kept.Add(p);
            }
        }
        if (kept.Count == participants.Count)
        {
            return value;
        }
        kept.Reverse();
        return value with { Participants = kept };
    }

    async Task PromotedAsync()
    {
        await RefreshLobbyAsync();
        await CheckRecordingAsync();
    }

    /// <summary>Asks the api whether this server can record (hosts and co-hosts; not while encrypted: Record is refused then anyway).</summary>
    public async Task CheckRecordingAsync()
    {
        if (!IsModerator || Encrypted)
        {
            return;
        }
        try
        {
            var availability = await recordings.AvailabilityAsync(Slug, Credential, stop.Token);
            RecordingUnavailable = availability.Available ? null : availability.Reason ?? "This server cannot record.";
        }
        catch (ApiProblemException e) when (e.Status == 503)
        {
            RecordingUnavailable = e.Message; // the recorder cannot be reached now; a click asks again
        }
        catch (ApiProblemException)
        {
            return; // not allowed, or an older api without the question: Record stays offered and says why if it fails
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return;
        }
        Raise();
    }

    public async Task OnConnectionState(MediaConnectionState value, DisconnectReason? reason)
    {
        switch (value)
        {
            case MediaConnectionState.Reconnecting when Status is CallStatus.Connected:
                Status = CallStatus.Reconnecting;
                break;
            case MediaConnectionState.Connected when Status is CallStatus.Reconnecting:
                Status = CallStatus.Connected;
                VideoStale = true;
                break;
            case MediaConnectionState.Disconnected when Status is CallStatus.Connected or CallStatus.Reconnecting:
                Finish(EndFor(reason));
                // livekit-client gave up reconnecting: the person's network, or LiveKit gone (a newcomer stopped it
                // mid-call and was told to check their connection). The api says which.
                if (End == CallEnd.ConnectionLost && !await MediaServerAnswersAsync())
                {
                    return; // the page is gone
                }
                break;
        }
        Raise();
    }

    /// <summary>
    /// A chat message, shown in the order it arrived with this page's clock. Checked again here (the browser that
    /// sends it is this person's own, but a page must not trust anything it did not make), and the log is bounded.
    /// </summary>
    public Task OnChat(ChatMessage message)
    {
        if (message is not { Id: not null, Identity: not null, Text: { Length: > 0 and <= MaxChatLength } } || string.IsNullOrWhiteSpace(message.Text))
        {
            return Task.CompletedTask;
        }
        chat.Add(new ChatLine(++nextChatSequence, message.Identity, Bounded(NameOf(message.Identity, message.Name ?? message.Identity)), ChatText.Split(message.Text).ToList(),
            message.IsLocal, time.GetUtcNow()));
        if (chat.Count > MaxChatMessages)
        {
            chat.RemoveRange(0, chat.Count - MaxChatMessages);
        }
        lastChatId = message.Id;
        if (handedOverReadThrough is not null && message.Id == handedOverReadThrough)
        {
            // The chat so far, handed over to this circuit: everything up to here had been read on the lost one.
            handedOverReadThrough = null;
            Unread = 0;
        }
        else if (Panel == CallPanel.Chat || (message.IsLocal && Unread == 0))
        {
            readThrough = message.Id;
        }
        else if (!message.IsLocal)
        {
            Unread++;
        }
        Raise();
        return Task.CompletedTask;
    }

    public Task OnReaction(Reaction reaction)
    {
        if (reaction is not { Emoji: not null, Identity: not null } || !ReactionEmojis.Contains(reaction.Emoji))
        {
            return Task.CompletedTask;
        }
        var floating = new FloatingReaction(++nextReactionId, Bounded(NameOf(reaction.Identity, reaction.Name ?? reaction.Identity)), reaction.Emoji);
        reactions.Add(floating);
        if (reactions.Count > MaxReactions)
        {
            reactions.RemoveAt(0);
        }
        Raise();
        _ = RemoveReactionLaterAsync(floating.Id);
        return Task.CompletedTask;
    }

    async Task RemoveReactionLaterAsync(long id)
    {
        try
        {
            await Task.Delay(ReactionLifetime, time, stop.Token);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        await Dispatch(() =>
        {
            if (reactions.RemoveAll(r => r.Id == id) > 0)
            {
                Raise();
            }
            return Task.CompletedTask;
        });
    }

    public Task OnRecording(bool value)
    {
        Recording = value;
        Raise();
        return Task.CompletedTask;
    }

    public Task OnAudioBlocked(bool blocked)
    {
        AudioBlocked = blocked;
        Raise();
        return Task.CompletedTask;
    }

    public Task OnMediaError(MediaErrorKind kind, MediaFailure failure, string message)
    {
        Notice = kind switch
        {
            MediaErrorKind.Camera => MediaFailures.Describe(failure, "camera"),
            MediaErrorKind.Microphone => MediaFailures.Describe(failure, "microphone"),
            MediaErrorKind.Device => MediaFailures.Describe(failure, "camera or microphone"),
            MediaErrorKind.Speaker => "The sound could not be moved to that speaker (this browser may not allow choosing one).",
            MediaErrorKind.Screen when failure == MediaFailure.Permission => "Screen sharing was cancelled or not allowed.",
            MediaErrorKind.Screen => "Your screen could not be shared.",
            MediaErrorKind.E2ee => "Encrypted media could not be decrypted — does everyone use the same link (with the same passphrase)?",
            MediaErrorKind.Data => "The message could not be sent.",
            _ => "Something went wrong with your devices.",
        };
        Raise();
        return Task.CompletedTask;
    }

    /// <summary>
    /// People who share a name are told apart by the order they joined (LiveKit's joinedAt, then identity): the first
    /// keeps the name, the others become "Ana (2)", "Ana (3)" — on their tiles, in the People list, in their buttons'
    /// labels, in what is announced and on their chat messages; as the lobby tells namesakes apart ("1st of 2 to
    /// ask"). Otherwise two "Ana" rows were the same to the host about to remove one (newcomer 4). Names are compared
    /// as people read them: trimmed, ignoring case. One who leaves gives the next their place.
    /// </summary>
    internal static RoomSnapshot TellNamesakesApart(RoomSnapshot value)
    {
        var renamed = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var namesakes in value.Participants.GroupBy(p => p.Name.Trim(), StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
        {
            var place = 1;
            foreach (var p in namesakes.OrderBy(p => p.JoinedAt ?? long.MaxValue).ThenBy(p => p.Identity, StringComparer.Ordinal).Skip(1))
            {
                renamed[p.Identity] = Bounded($"{p.Name.Trim()} ({++place})");
            }
        }
        return renamed.Count == 0 ? value : value with
        {
            Participants = value.Participants.Select(p => renamed.TryGetValue(p.Identity, out var name) ? p with { Name = name } : p).ToList(),
        };
    }

    /// <summary>The name this call shows for <paramref name="identity"/> (a namesake's number included), else <paramref name="sent"/>.</summary>
    string NameOf(string identity, string sent) =>
        Snapshot.Participants.FirstOrDefault(p => p.Identity == identity)?.Name ?? sent;

    static string Bounded(string name) => name.Length <= MaxNameLength ? name : name[..MaxNameLength];

    /// <summary>Tells screen-reader users who came and went (sighted people see the tiles change).</summary>
    void Announce(RoomSnapshot before, RoomSnapshot after)
    {
        if (before.Participants.Count == 0)
        {
            return; // the first snapshot: everyone already there is not news
        }
        if (Status is CallStatus.Ended)
        {
            // This page's call ended (left, removed, taken over by another tab, meeting ended): livekit-client then
            // drops every remote participant, and "Ada left" would be false — Ada is still in the call.
            return;
        }
        var joined = after.Participants.Where(p => before.Participants.All(b => b.Identity != p.Identity)).Select(p => $"{p.Name} joined");
        var left = before.Participants.Where(p => after.Participants.All(a => a.Identity != p.Identity))
            .Select(p => removedHere.Remove(p.Identity) ? $"{p.Name} was removed" : $"{p.Name} left");
        var news = string.Join(". ", joined.Concat(left));
        if (news.Length > 0)
        {
            Announcement = news + ".";
        }
    }

    void Arrange()
    {
        var arrangement = CallLayout.Arrange(Snapshot, Layout, Pinned, lastSpeaker);
        // The videos need placing again only when their containers may have moved or their tracks changed — not when
        // somebody only started or stopped speaking, a call's most frequent change (bench/web-call.sh: it had cost
        // every page a round trip to the browser a few times a second).
        if (!SameVideos(Arrangement, arrangement))
        {
            VideoStale = true;
        }
        Arrangement = arrangement;
    }

    static bool SameVideos(Arrangement before, Arrangement after) =>
        VideoOf(before.Focus) == VideoOf(after.Focus) && before.Others.Select(t => VideoOf(t)).SequenceEqual(after.Others.Select(t => VideoOf(t)));

    static (string Key, string? Track, bool Shown)? VideoOf(Tile? tile) => tile is null ? null
        : (tile.Key, tile.IsScreenShare ? tile.Participant.ScreenShareTrackSid : tile.Participant.CameraTrackSid, tile.IsScreenShare || tile.Participant.CameraEnabled);

    /// <summary>Called by the page after it rendered: true once per change of tiles (then it syncs the videos).</summary>
    public bool TakeVideoSync()
    {
        var stale = VideoStale;
        VideoStale = false;
        return stale;
    }

    public Task SyncVideoAsync() => media.SyncVideoAsync();

    // ---- controls ----

    public Task ToggleMicrophoneAsync() => media.SetMicrophoneAsync(Local?.MicrophoneEnabled != true, MicrophoneId);

    public Task ToggleCameraAsync() => media.SetCameraAsync(Local?.CameraEnabled != true, CameraId);

    public Task ToggleScreenShareAsync() => media.SetScreenShareAsync(Local?.ScreenSharing != true);

    public async Task ToggleHandAsync() => SlowDownIfTooFast(await media.SetHandRaisedAsync(Local?.HandRaised != true), "Slow down — your hand went up and down too often. Try again in a moment.");

    public async Task SendReactionAsync(string emoji) => SlowDownIfTooFast(await media.SendReactionAsync(emoji), "Slow down — reactions are being sent too fast. Try again in a moment.");

    /// <summary>Sends a message; anything but <see cref="SendOutcome.Sent"/> keeps the draft (the chat says why).</summary>
    public Task<SendOutcome> SendChatAsync(string text) => media.SendChatAsync(text);

    /// <summary>The others would have dropped it: nothing was sent, and the person is told so rather than left guessing.</summary>
    void SlowDownIfTooFast(SendOutcome outcome, string notice)
    {
        if (outcome == SendOutcome.TooFast)
        {
            Notice = notice;
            Raise();
        }
    }

    public async Task StartAudioAsync()
    {
        await media.StartAudioAsync();
        AudioBlocked = false;
        Raise();
    }

    /// <summary>Reads the devices when a device menu first opens (labels need the permission the call already has).</summary>
    public async Task LoadDevicesAsync(IDevicePreview browser)
    {
        if (Devices.Cameras.Count + Devices.Microphones.Count == 0)
        {
            Devices = await browser.ListDevicesAsync();
            Raise();
        }
    }

    public async Task ChooseMicrophoneAsync(string? deviceId)
    {
        MicrophoneId = deviceId;
        await media.SetMicrophoneAsync(true, deviceId);
    }

    public async Task ChooseCameraAsync(string? deviceId)
    {
        CameraId = deviceId;
        await media.SetCameraAsync(true, deviceId);
    }

    public async Task ChooseSpeakerAsync(string? deviceId)
    {
        SpeakerId = deviceId;
        if (deviceId is not null)
        {
            await media.SetSpeakerAsync(deviceId);
        }
    }

    public void TogglePanel(CallPanel panel)
    {
        Panel = Panel == panel ? CallPanel.None : panel;
        if (Panel == CallPanel.Chat)
        {
            Unread = 0;
            readThrough = lastChatId;
            handedOverReadThrough = null;
        }
        Raise();
    }

    public void ToggleLayout()
    {
        Layout = Layout == LayoutMode.Grid ? LayoutMode.Speaker : LayoutMode.Grid;
        Arrange();
        Raise();
    }

    public void TogglePin(string key)
    {
        Pinned = Pinned == key ? null : key;
        Arrange();
        Raise();
    }

    public void DismissNotice()
    {
        Notice = null;
        Raise();
    }

    // ---- host and co-host ----

    public async Task ToggleRecordingAsync()
    {
        if (Encrypted)
        {
            Notice = "Recording is not available while the meeting is end-to-end encrypted: the recorder could not see or hear it.";
            Raise();
            return;
        }
        if (!Recording && RecordingUnavailable is not null)
        {
            await CheckRecordingAsync(); // storage or the recorder may be back
            if (RecordingUnavailable is { } reason)
            {
                Notice = $"Recording is not available: {reason}";
                Raise();
                return;
            }
        }
        await ModerateAsync(async () =>
        {
            if (Recording)
            {
                try
                {
                    await recordings.StopAsync(Slug, Credential);
                }
                catch (ApiProblemException e) when (e.IsNotFound)
                {
                    // nothing was running: the indicator was stale
                }
                Recording = false;
            }
            else
            {
                try
                {
                    await recordings.StartAsync(Slug, RecordingLayout.Grid, audioOnly: false, Credential);
                }
                catch (ApiProblemException e) when (e.Status == 409)
                {
                    // already running (another host started it)
                }
                Recording = true;
            }
        });
    }

    public Task AdmitAsync(LobbyEntry entry) => AnswerLobbyAsync(entry, () => moderation.AdmitAsync(Slug, entry.RequestId, Credential));

    public Task DenyAsync(LobbyEntry entry) => AnswerLobbyAsync(entry, () => moderation.DenyAsync(Slug, entry.RequestId, Credential));

    /// <summary>The lobby requests being answered now: each is answered once.</summary>
    readonly HashSet<string> answering = [];

    /// <summary>
    /// Answers one lobby request. A double-click sends its second click before the first one's answer removes the
    /// request from the list; that click is ignored here, not sent to be told "nobody is waiting with that request".
    /// </summary>
    Task AnswerLobbyAsync(LobbyEntry entry, Func<Task> answer)
    {
        if (!answering.Add(entry.RequestId))
        {
            return Task.CompletedTask;
        }
        return ModerateAsync(async () =>
        {
            try
            {
                await answer();
                Lobby = Lobby.Where(e => e.RequestId != entry.RequestId).ToList();
            }
            catch (ApiProblemException refusal) when (ModerationClient.NoLongerWaiting(refusal))
            {
                Lobby = Lobby.Where(e => e.RequestId != entry.RequestId).ToList();
                throw; // the notice says why
            }
            finally
            {
                answering.Remove(entry.RequestId);
            }
        });
    }

    public Task MuteAsync(ParticipantState p) => ModerateAsync(() => moderation.MuteTrackAsync(Slug, p.Identity, p.MicrophoneTrackSid!, Credential));

    public async Task RemoveAsync(ParticipantState p)
    {
        if (await ModerateAsync(() => moderation.RemoveAsync(Slug, p.Identity, Credential)))
        {
            removedHere.Add(p.Identity);
        }
    }

    /// <summary>Identities this page removed: their departure is announced as a removal, not as leaving.</summary>
    readonly HashSet<string> removedHere = new(StringComparer.Ordinal);

    public Task SetRoleAsync(ParticipantState p, ParticipantRole role) => ModerateAsync(() => moderation.SetRoleAsync(Slug, p.Identity, role, Credential));

    public Task SetLockedAsync(bool value) => ModerateAsync(async () =>
    {
        await moderation.SetLockedAsync(Slug, value, Credential);
        Locked = value;
    });

    /// <summary>
    /// Ends the call for everyone. Marked before the api is asked: the api deletes the room before it answers, so
    /// LiveKit's ROOM_DELETED may reach this page first, and its end screen must already know whose doing it was.
    /// </summary>
    public async Task EndForEveryoneAsync()
    {
        EndedForEveryoneHere = true;
        if (!await ModerateAsync(() => moderation.EndAsync(Slug, Credential)))
        {
            EndedForEveryoneHere = false; // refused: the call goes on
        }
    }

    /// <summary>This person ended the meeting for everyone (its end screen says so, and offers the host to start it again).</summary>
    public bool EndedForEveryoneHere { get; private set; }

    /// <summary>A refused moderation call is shown, not thrown: the call goes on. False when refused.</summary>
    async Task<bool> ModerateAsync(Func<Task> action)
    {
        var done = true;
        try
        {
            await action();
        }
        catch (ApiProblemException e)
        {
            Notice = e.Message;
            done = false;
        }
        Raise();
        return done;
    }

    /// <summary>Reads who waits in the lobby (hosts and co-hosts only); a failure keeps the last list.</summary>
    public async Task RefreshLobbyAsync()
    {
        wasModerator = IsModerator;
        if (!IsModerator || Status is not (CallStatus.Connected or CallStatus.Reconnecting))
        {
            return;
        }
        try
        {
            Lobby = await moderation.ListLobbyAsync(Slug, Credential, stop.Token);
            Raise();
        }
        catch (ApiProblemException)
        {
            // The next change (or resync) asks again.
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    /// <summary>A change published by the api or the recorder for this meeting.</summary>
    async Task OnMeetingChangeAsync(MeetingChange change)
    {
        // RoomFinished too: the ended call's room_finished may be applied after the new call's room_started, and until
        // then the meeting reads as in the ended call.
        if (Status is CallStatus.Ended && End is CallEnd.MeetingEnded && !CallStartedAgain
            && (change.What is MeetingChangeKind.RoomStarted or MeetingChangeKind.ParticipantJoined or MeetingChangeKind.RoomFinished || change.IsResync))
        {
            await CheckCallStartedAgainAsync();
            return;
        }
        if (change is { What: MeetingChangeKind.Muted, Participant: { } muted } && muted == Details.Identity)
        {
            // LiveKit's mute arrives in the browser as a mute of the local track, with no word of who did it.
            var what = change.Track is { } track && track == Local?.CameraTrackSid ? "camera" : "microphone";
            Notice = $"{Bounded(string.IsNullOrWhiteSpace(change.By) ? "A host" : change.By)} muted your {what}.";
            Raise();
        }
        if (change.What is MeetingChangeKind.Lobby || change.IsResync)
        {
            await RefreshLobbyAsync();
        }
        if (change.What is MeetingChangeKind.Lock or MeetingChangeKind.Settings || change.IsResync)
        {
            try
            {
                var meeting = await meetings.GetAsync(Slug, cancellationToken: stop.Token);
                Locked = meeting.Settings.Locked;
                Raise();
            }
            catch (ApiProblemException)
            {
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
        }
    }

    /// <summary>
    /// Whether the meeting is in a call that began after this page's call ended. The meeting's InProgressSince is the
    /// api's clock, endedAt this server's: on one server (the deployment this is built for) they are the same clock,
    /// and a call still shown in progress from before the end (its room_finished not yet applied) began long before.
    /// </summary>
    async Task CheckCallStartedAgainAsync()
    {
        try
        {
            var meeting = await meetings.GetAsync(Slug, cancellationToken: stop.Token);
            if (Status is CallStatus.Ended && End is CallEnd.MeetingEnded
                && meeting.Status == "InProgress" && meeting.InProgressSince > endedAt)
            {
                CallStartedAgain = true;
                Raise();
            }
        }
        catch (ApiProblemException)
        {
            // The next change (or resync) asks again.
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    void Raise() => Changed?.Invoke();

    public async ValueTask DisposeAsync()
    {
        changes?.Dispose();
        await stop.CancelAsync();
        await media.DisposeAsync();
        stop.Dispose();
    }
}
