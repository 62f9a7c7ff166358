import {
  ConnectionQuality,
  ConnectionState,
  DisconnectReason,
  ExternalE2EEKeyProvider,
  isE2EESupported,
  Participant,
  Room,
  RoomEvent,
  Track,
  VideoPresets,
  type RemoteTrack,
  type RoomOptions,
} from 'livekit-client';
import type { DotNetRef } from './dotnet';
import { classifyConnectError, classifyMediaError, messageOf, type ConnectFailure } from './errors';
import { cleanChatText, decodeMessage, encodeMessage, messageTopic, reactions, SenderRateLimiter, sendLimits, type CallMessage } from './messages';
import { storedPassphrase } from './passphrase';

export interface ConnectOptions {
  microphone: boolean;
  camera: boolean;
  microphoneDeviceId?: string | null;
  cameraDeviceId?: string | null;
  /**
   * Encrypt media end to end with the passphrase from the meeting link (see passphrase.ts). The passphrase is read
   * here, in the browser; .NET only says whether the page showed the meeting as encrypted.
   */
  e2ee?: boolean;
}

export type ConnectResult = { ok: true } | { ok: false; failure: ConnectFailure; message: string };

/** A chat message as .NET receives it: no time (the receiver stamps its own), text already checked. */
export interface ChatEvent {
  id: string;
  identity: string;
  name: string;
  text: string;
  isLocal: boolean;
}

/** One participant as the Blazor page draws them; pushed whole on every change (a meeting is small). */
export interface ParticipantState {
  identity: string;
  name: string;
  isLocal: boolean;
  /** From the token's metadata ({"Role":"Host"}); the api updates it when someone is promoted. */
  role: string;
  isSpeaking: boolean;
  connectionQuality: 'excellent' | 'good' | 'poor' | 'lost' | 'unknown';
  microphoneEnabled: boolean;
  cameraEnabled: boolean;
  screenSharing: boolean;
  handRaised: boolean;
  microphoneTrackSid: string | null;
  cameraTrackSid: string | null;
  screenShareTrackSid: string | null;
  joinedAt: number | null;
}

export interface RoomSnapshot {
  participants: ParticipantState[];
  /** Identities, loudest first. */
  activeSpeakers: string[];
}

/**
 * What became of a message this person sent: "too-fast" when it would pass the receivers' rate limit (they would drop
 * it), so it was not sent and the page says to slow down; "not-sent" when there is no call or the send failed.
 */
export type SendOutcome = 'sent' | 'too-fast' | 'not-sent';

export type CallConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'disconnected';

export type CreateRoom = (options: RoomOptions) => Room;

/** Chat messages the module keeps for a circuit that attaches (as many as the page shows: CallSession.MaxChatMessages). */
const maxChatKept = 200;

/** How long joining may take before the page says the media server cannot be reached (livekit-client alone may wait longer). */
const connectTimeoutMs = 20_000;

/**
 * One call: owns the livekit-client Room, tells .NET what changed, and does what the page asks.
 * The Blazor side never touches media; it renders containers with data-video-identity/data-video-source
 * and this module puts the <video> elements in them.
 */
export class CallController {
  /**
   * The call this tab is in. The module outlives any one Blazor circuit (it lives as long as the page), so when the
   * web server restarts or evicts this tab's circuit, the page's new circuit finds the call here and attaches to it
   * (attach) instead of joining again: LiveKit never sees the person leave.
   */
  static live: CallController | null = null;

  private room: Room | null = null;
  /** Chat so far (sent and received, at most maxChatKept), replayed to a new circuit that attaches. */
  private readonly chatLog: ChatEvent[] = [];
  private readonly raisedHands = new Set<string>();
  private snapshotQueued = false;
  /** The connection state as last told, for a resync. */
  private state: { connection: CallConnectionState; reason: DisconnectReason | null } = { connection: 'disconnected', reason: null };
  /** What .NET was last told: each participant's state as JSON, in order, and the speakers; null before a room's first snapshot. */
  private told: { states: Map<string, string>; speakers: string } | null = null;
  private readonly audioSink: HTMLElement;
  private shortcutHandler: ((event: KeyboardEvent) => void) | null = null;
  private readonly limiter = new SenderRateLimiter();
  /** This person's own sending, held under what the receivers accept (sendLimits). */
  private readonly sendLimiter = new SenderRateLimiter(sendLimits);

  constructor(
    private dotnet: DotNetRef,
    private readonly createRoom: CreateRoom = options => new Room(options),
    private readonly workerUrl: URL | null = null,
    private readonly readPassphrase: () => string | null = () => storedPassphrase(),
    private readonly now: () => number = () => performance.now(),
  ) {
    this.audioSink = document.createElement('div');
    this.audioSink.hidden = true;
    document.body.appendChild(this.audioSink);
  }

  get currentRoom(): Room | null {
    return this.room;
  }

  async connect(url: string, token: string, options: ConnectOptions): Promise<ConnectResult> {
    await this.disposeRoom();
    this.told = null; // a new room: .NET gets it whole
    const passphrase = options.e2ee ? this.readPassphrase() : null;
    if (options.e2ee && passphrase === null) {
      // Never fall back to an unencrypted call the page shows as encrypted.
      return { ok: false, failure: 'passphrase-missing', message: 'The passphrase of this encrypted meeting is no longer in this tab.' };
    }
    const e2ee = passphrase !== null;
    if (e2ee && !isE2EESupported()) {
      return { ok: false, failure: 'e2ee-unsupported', message: 'This browser cannot encrypt calls end to end.' };
    }

    const roomOptions: RoomOptions = {
      adaptiveStream: true,
      dynacast: true,
      videoCaptureDefaults: { resolution: VideoPresets.h720.resolution },
      // RED (redundant audio) cannot pass through the e2ee frame transform.
      publishDefaults: { simulcast: true, red: !e2ee },
    };
    let keyProvider: ExternalE2EEKeyProvider | null = null;
    if (e2ee) {
      keyProvider = new ExternalE2EEKeyProvider();
      roomOptions.e2ee = { keyProvider, worker: new Worker(this.workerUrl ?? new URL('livekit-e2ee-worker.js', import.meta.url), { type: 'module' }) };
    }
    const room = this.createRoom(roomOptions);
    this.room = room;
    this.listen(room);
    this.pushState('connecting');

    try {
      if (keyProvider) {
        await keyProvider.setKey(passphrase!);
        await room.setE2EEEnabled(true);
      }
      await withTimeout(room.connect(url, token, { autoSubscribe: true }), connectTimeoutMs);
    } catch (error) {
      const failure = error instanceof TimeoutError ? 'unreachable' : classifyConnectError(error);
      if (this.room === room) {
        this.room = null;
        await room.disconnect().catch(() => undefined);
      }
      this.pushState('disconnected');
      return { ok: false, failure, message: messageOf(error) };
    }

    CallController.live = this;
    this.pushState('connected');
    this.pushRecording(room.isRecording);
    this.queueSnapshot();
    // Publishing may fail on its own (no permission, no device) without failing the call.
    if (options.microphone) {
      await this.setMicrophone(true, options.microphoneDeviceId ?? undefined);
    }
    if (options.camera) {
      await this.setCamera(true, options.cameraDeviceId ?? undefined);
    }
    return { ok: true };
  }

  /**
   * A new circuit takes over this call (the old one was lost with a web server restart or evicted): events go to
   * `dotnet` from now on, and it gets the whole state at once (connection, people and their tracks,
   * raised hands, recording, chat so far). Returns false when there is no call to take over.
   */
  attach(dotnet: DotNetRef): boolean {
    const room = this.room;
    if (!room || room.state === ConnectionState.Disconnected) {
      return false;
    }
    this.dotnet = dotnet;
    this.tellEverything(room, null);
    // The new circuit has already rendered the stage it was left with (CallSession's People): the kept videos go into
    // its tiles now, with their last frames, not two round trips later when the circuit asks (~1 s of empty tiles).
    this.syncVideo();
    return true;
  }

  /**
   * The page's connection came back to the same circuit (a network drop, a laptop lid). What the module told .NET
   * meanwhile is lost, since a call into .NET needs that connection: a person who left, a hand raised, a message, or
   * the call's own end. So .NET gets the whole state again, and the chat that came after `lastChatId` (the last
   * message it has; null when it has none).
   */
  resync(lastChatId: string | null): void {
    const room = this.room;
    if (!room || room.state === ConnectionState.Disconnected) {
      this.notify('OnConnectionState', this.state.connection, this.state.reason);
      return;
    }
    this.tellEverything(room, lastChatId);
  }

  /** The whole state to a circuit that has missed some or all of it, and the chat after `lastChatId` (null: all). */
  private tellEverything(room: Room, lastChatId: string | null): void {
    // Its first snapshot is the whole room, not changes to one it may never have had.
    this.told = null;
    this.pushState(room.state === ConnectionState.Connected ? 'connected' : 'reconnecting');
    this.pushRecording(room.isRecording);
    this.notify('OnAudioBlocked', !room.canPlaybackAudio);
    const seen = lastChatId === null ? -1 : this.chatLog.findIndex(message => message.id === lastChatId);
    for (const message of this.chatLog.slice(seen + 1)) {
      this.notify('OnChat', message);
    }
    this.queueSnapshot();
  }

  async leave(): Promise<void> {
    await this.disposeRoom();
    this.pushState('disconnected', DisconnectReason.CLIENT_INITIATED);
  }

  async setMicrophone(enabled: boolean, deviceId?: string): Promise<boolean> {
    return this.publish('microphone', async room => {
      await room.localParticipant.setMicrophoneEnabled(enabled, deviceId ? { deviceId } : undefined);
      // An existing track keeps its device when re-enabled; switch it explicitly.
      if (deviceId && enabled) {
        await room.switchActiveDevice('audioinput', deviceId);
      }
    });
  }

  async setCamera(enabled: boolean, deviceId?: string): Promise<boolean> {
    return this.publish('camera', async room => {
      await room.localParticipant.setCameraEnabled(enabled, deviceId ? { deviceId } : undefined);
      // An existing track keeps its device when re-enabled; switch it explicitly.
      if (deviceId && enabled) {
        await room.switchActiveDevice('videoinput', deviceId);
      }
    });
  }

  async setScreenShare(enabled: boolean): Promise<boolean> {
    return this.publish('screen', room => room.localParticipant.setScreenShareEnabled(enabled, { audio: true }).then(() => undefined));
  }

  async switchDevice(kind: 'audioinput' | 'videoinput' | 'audiooutput', deviceId: string): Promise<boolean> {
    const reportAs = kind === 'videoinput' ? 'camera' : kind === 'audiooutput' ? 'speaker' : 'microphone';
    return this.publish(reportAs, room => room.switchActiveDevice(kind, deviceId).then(() => undefined));
  }

  async sendChat(text: string): Promise<SendOutcome> {
    const cleaned = cleanChatText(text);
    if (cleaned === null) {
      return 'not-sent';
    }
    const message: CallMessage = { type: 'chat', id: crypto.randomUUID(), text: cleaned };
    const outcome = await this.send(message);
    if (outcome !== 'sent') {
      return outcome;
    }
    // Our own message does not come back over the data channel; show it like the others.
    const local = this.room!.localParticipant;
    this.pushChat({ id: message.id, identity: local.identity, name: nameOf(local), text: cleaned, isLocal: true });
    return 'sent';
  }

  async setHandRaised(raised: boolean): Promise<SendOutcome> {
    const outcome = await this.send({ type: 'hand', raised });
    if (outcome === 'sent') {
      this.markHand(this.room!.localParticipant.identity, raised);
    }
    return outcome;
  }

  async sendReaction(emoji: string): Promise<SendOutcome> {
    if (!(reactions as readonly string[]).includes(emoji)) {
      return 'not-sent';
    }
    const outcome = await this.send({ type: 'reaction', emoji });
    if (outcome === 'sent') {
      const local = this.room!.localParticipant;
      this.notify('OnReaction', { identity: local.identity, name: nameOf(local), emoji });
    }
    return outcome;
  }

  /** Audio that the browser refused to autoplay starts after a click on the page's "Start audio" button. */
  async startAudio(): Promise<void> {
    await this.room?.startAudio();
  }

  /**
   * Puts each participant's video into the container the page rendered for it
   * (<div data-video-identity="…" data-video-source="camera|screen_share">), and takes out videos whose track is gone.
   */
  syncVideo(root: ParentNode = document): void {
    const room = this.room;
    root.querySelectorAll<HTMLElement>('[data-video-identity]').forEach(container => {
      const identity = container.dataset.videoIdentity ?? '';
      const source = container.dataset.videoSource === 'screen_share' ? Track.Source.ScreenShare : Track.Source.Camera;
      const participant = room ? participantOf(room, identity) : undefined;
      const publication = participant?.getTrackPublication(source);
      const track = publication && !publication.isMuted ? publication.track : undefined;
      const current = container.querySelector('video');
      if (current && current.dataset.trackSid === track?.sid) {
        return;
      }
      current?.remove();
      if (track && track.kind === Track.Kind.Video) {
        // When a render replaced the stage (a new circuit taking the call over, a layout change), the <video> that
        // showed this track is still attached to it, out of the page. Moved into the new container it shows its last
        // frame at once and plays on; a new element would be black until the next keyframe arrived (newcomer 5: 10-20 s
        // on a loaded machine after a web restart). Taken out of the page, it was paused (HTML's media element rules).
        const kept = track.attachedElements.find((element): element is HTMLVideoElement => !element.isConnected && element instanceof HTMLVideoElement);
        const video = kept ?? track.attach() as HTMLVideoElement;
        video.dataset.trackSid = track.sid ?? '';
        video.muted = true; // sound plays through the hidden audio elements; a muted <video> may autoplay
        video.playsInline = true;
        container.appendChild(video);
        if (kept) {
          void kept.play().catch(() => undefined);
        }
      }
    });
    if (room) {
      releaseRemovedElements(room);
    }
  }

  /** Ctrl/Cmd+Shift+A toggles the microphone, Ctrl/Cmd+Shift+V the camera (as in LiveKit Meet). */
  enableShortcuts(): void {
    if (this.shortcutHandler) {
      return;
    }
    this.shortcutHandler = event => {
      if (!(event.ctrlKey || event.metaKey) || !event.shiftKey || !this.room) {
        return;
      }
      const local = this.room.localParticipant;
      const key = event.key.toLowerCase();
      if (key === 'a') {
        event.preventDefault();
        void this.setMicrophone(!local.isMicrophoneEnabled);
      } else if (key === 'v') {
        event.preventDefault();
        void this.setCamera(!local.isCameraEnabled);
      }
    };
    document.addEventListener('keydown', this.shortcutHandler);
  }

  async dispose(): Promise<void> {
    if (this.shortcutHandler) {
      document.removeEventListener('keydown', this.shortcutHandler);
      this.shortcutHandler = null;
    }
    await this.disposeRoom();
    this.audioSink.remove();
  }

  private listen(room: Room): void {
    const snapshot = () => this.queueSnapshot();
    room
      .on(RoomEvent.ParticipantConnected, participant => {
        this.queueSnapshot();
        // Data messages are not replayed, so tell newcomers whose hand is already up.
        if (this.raisedHands.has(room.localParticipant.identity)) {
          void room.localParticipant.publishData(encodeMessage({ type: 'hand', raised: true }),
            { reliable: true, topic: messageTopic, destinationIdentities: [participant.identity] }).catch(() => undefined);
        }
      })
      .on(RoomEvent.ParticipantDisconnected, participant => {
        this.raisedHands.delete(participant.identity);
        this.limiter.forget(participant.identity);
        this.queueSnapshot();
      })
      .on(RoomEvent.TrackSubscribed, (track: RemoteTrack) => {
        if (track.kind === Track.Kind.Audio) {
          this.audioSink.appendChild(track.attach());
        }
        this.queueSnapshot();
      })
      .on(RoomEvent.TrackUnsubscribed, (track: RemoteTrack) => {
        track.detach().forEach(element => element.remove());
        this.queueSnapshot();
      })
      .on(RoomEvent.TrackPublished, snapshot)
      .on(RoomEvent.TrackUnpublished, snapshot)
      .on(RoomEvent.LocalTrackPublished, snapshot)
      .on(RoomEvent.LocalTrackUnpublished, snapshot)
      .on(RoomEvent.TrackMuted, snapshot)
      .on(RoomEvent.TrackUnmuted, snapshot)
      .on(RoomEvent.ActiveSpeakersChanged, snapshot)
      .on(RoomEvent.ConnectionQualityChanged, snapshot)
      .on(RoomEvent.ParticipantNameChanged, snapshot)
      .on(RoomEvent.ParticipantMetadataChanged, snapshot)
      .on(RoomEvent.Reconnecting, () => this.pushState('reconnecting'))
      .on(RoomEvent.SignalReconnecting, () => this.pushState('reconnecting'))
      .on(RoomEvent.Reconnected, () => {
        this.pushState('connected');
        this.queueSnapshot();
      })
      .on(RoomEvent.Disconnected, (reason?: DisconnectReason) => {
        if (this.room !== room) {
          return; // a connect that failed or a leave: already reported
        }
        this.pushState('disconnected', reason ?? DisconnectReason.UNKNOWN_REASON);
      })
      .on(RoomEvent.RecordingStatusChanged, recording => this.pushRecording(recording))
      .on(RoomEvent.AudioPlaybackStatusChanged, () => {
        this.notify('OnAudioBlocked', !room.canPlaybackAudio);
      })
      .on(RoomEvent.MediaDevicesError, (error: Error, kind?: MediaDeviceKind) => {
        const device = kind === 'videoinput' ? 'camera' : kind === 'audioinput' ? 'microphone' : 'device';
        this.notify('OnMediaError', device, classifyMediaError(error), error.message);
      })
      .on(RoomEvent.EncryptionError, (error: Error) => {
        this.notify('OnMediaError', 'e2ee', 'other', error.message);
      })
      .on(RoomEvent.DataReceived, (payload, participant, _kind, topic) => {
        if (topic !== messageTopic || !participant) {
          return;
        }
        this.receive(decodeMessage(payload), participant);
      });
  }

  /**
   * A message from another participant: checked (decodeMessage) and rate-limited per sender here, before it reaches
   * .NET, so one participant cannot break or flood everyone else's page. Messages are passed on in the order they arrive.
   */
  private receive(message: CallMessage | null, from: Participant): void {
    if (!message || !this.limiter.allow(from.identity, message.type, this.now())) {
      return;
    }
    switch (message.type) {
      case 'chat':
        this.pushChat({ id: message.id, identity: from.identity, name: nameOf(from), text: message.text, isLocal: false });
        break;
      case 'hand':
        this.markHand(from.identity, message.raised);
        break;
      case 'reaction':
        this.notify('OnReaction', { identity: from.identity, name: nameOf(from), emoji: message.emoji });
        break;
    }
  }

  private markHand(identity: string, raised: boolean): void {
    if (raised) {
      this.raisedHands.add(identity);
    } else {
      this.raisedHands.delete(identity);
    }
    this.queueSnapshot();
  }

  /**
   * Publishes one message to everyone, within this person's own rate limit: past it the receivers would drop the
   * message, so it is not sent (and not shown as sent) and the page is told "too-fast".
   */
  private async send(message: CallMessage): Promise<SendOutcome> {
    if (!this.room || this.room.state !== ConnectionState.Connected) {
      return 'not-sent';
    }
    if (!this.sendLimiter.allow(this.room.localParticipant.identity, message.type, this.now())) {
      return 'too-fast';
    }
    try {
      await this.room.localParticipant.publishData(encodeMessage(message), { reliable: true, topic: messageTopic });
      return 'sent';
    } catch (error) {
      this.notify('OnMediaError', 'data', 'other', messageOf(error));
      return 'not-sent';
    }
  }

  /** Runs a publishing action; a refused device is reported to the page instead of thrown. */
  private async publish(kind: 'microphone' | 'camera' | 'screen' | 'speaker', action: (room: Room) => Promise<void>): Promise<boolean> {
    if (!this.room) {
      return false;
    }
    try {
      await action(this.room);
      return true;
    } catch (error) {
      this.notify('OnMediaError', kind, classifyMediaError(error), messageOf(error));
      return false;
    } finally {
      this.queueSnapshot();
    }
  }

  /** Many events arrive together (a join brings several); .NET gets one snapshot per turn of the event loop. */
  private queueSnapshot(): void {
    if (this.snapshotQueued) {
      return;
    }
    this.snapshotQueued = true;
    queueMicrotask(() => {
      this.snapshotQueued = false;
      if (this.room) {
        this.pushParticipants();
        this.syncVideo();
      }
    });
  }

  /**
   * .NET gets the whole snapshot when people came or went; otherwise only the participants whose state changed
   * (OnParticipantChanges), and nothing when nothing did. Someone starting or stopping to speak — several times a
   * second in a big call — then costs every page one participant's state, not everyone's (bench/web-call.sh).
   */
  private pushParticipants(): void {
    const snapshot = this.snapshot();
    const states = new Map(snapshot.participants.map(p => [p.identity, JSON.stringify(p)]));
    const speakers = snapshot.activeSpeakers.join('\n');
    const told = this.told;
    this.told = { states, speakers };
    if (told === null || [...told.states.keys()].join('\n') !== [...states.keys()].join('\n')) {
      this.notify('OnParticipants', snapshot);
      return;
    }
    const changed = snapshot.participants.filter(p => told.states.get(p.identity) !== states.get(p.identity));
    if (changed.length > 0 || told.speakers !== speakers) {
      this.notify('OnParticipantChanges', changed, snapshot.activeSpeakers);
    }
  }

  snapshot(): RoomSnapshot {
    const room = this.room;
    if (!room) {
      return { participants: [], activeSpeakers: [] };
    }
    // A "remote" participant with this tab's own identity is an older connection of this same person (a browser
    // that died, a rejoin before the old socket closed): LiveKit disconnects it (DUPLICATE_IDENTITY), but until it
    // has, it is a frozen tile of oneself. The person is this tab, so it is never shown.
    const self = room.localParticipant.identity;
    const all: Participant[] = [room.localParticipant, ...[...room.remoteParticipants.values()].filter(p => p.identity !== self)];
    return {
      participants: all.map(p => this.stateOf(p, p === room.localParticipant)),
      activeSpeakers: room.activeSpeakers.map(p => p.identity),
    };
  }

  private stateOf(p: Participant, isLocal: boolean): ParticipantState {
    const sidOf = (source: Track.Source) => p.getTrackPublication(source)?.trackSid ?? null;
    return {
      identity: p.identity,
      name: nameOf(p),
      isLocal,
      role: roleOf(p.metadata),
      isSpeaking: p.isSpeaking,
      connectionQuality: qualityOf(p.connectionQuality),
      microphoneEnabled: p.isMicrophoneEnabled,
      cameraEnabled: p.isCameraEnabled,
      screenSharing: p.isScreenShareEnabled,
      handRaised: this.raisedHands.has(p.identity),
      microphoneTrackSid: sidOf(Track.Source.Microphone),
      cameraTrackSid: sidOf(Track.Source.Camera),
      screenShareTrackSid: sidOf(Track.Source.ScreenShare),
      joinedAt: p.joinedAt?.getTime() ?? null,
    };
  }

  private pushChat(message: ChatEvent): void {
    this.chatLog.push(message);
    if (this.chatLog.length > maxChatKept) {
      this.chatLog.splice(0, this.chatLog.length - maxChatKept);
    }
    this.notify('OnChat', message);
  }

  /**
   * Tells .NET. While the circuit is gone (the web server restarts, or the tab was in the background long enough for
   * its circuit to be evicted) the call goes on without it: what .NET misses, attach gives the next circuit whole.
   */
  private notify(method: string, ...args: unknown[]): void {
    try {
      this.dotnet.invokeMethodAsync(method, ...args).catch(() => undefined);
    } catch {
      // No circuit to tell right now.
    }
  }

  /**
   * The reason is LiveKit's DisconnectReason number (livekit_models.proto); .NET has the same enum. The page is told
   * too, on its root element (`data-call-media`), without the circuit: when the network drops, the circuit's own
   * connection drops with it, and a banner rendered by .NET would show only once both were back
   * (Layout/ReconnectModal.razor shows "reconnecting" from this attribute).
   */
  private pushState(state: CallConnectionState, reason: DisconnectReason | null = null): void {
    this.state = { connection: state, reason };
    if (state === 'disconnected') {
      delete document.documentElement.dataset.callMedia;
    } else {
      document.documentElement.dataset.callMedia = state;
    }
    this.notify('OnConnectionState', state, reason);
  }

  private pushRecording(recording: boolean): void {
    this.notify('OnRecording', recording);
  }

  private async disposeRoom(): Promise<void> {
    const room = this.room;
    this.room = null;
    if (CallController.live === this) {
      CallController.live = null;
    }
    this.raisedHands.clear();
    this.chatLog.length = 0;
    if (room) {
      room.removeAllListeners();
      await room.disconnect();
    }
    this.audioSink.replaceChildren();
  }
}

/**
 * Blazor removes a tile's container when the layout changes; the <video> inside goes with it but stays attached to
 * its track, and adaptive stream would keep counting it. Detach what is no longer in the page once the track shows in
 * another element. A track shown nowhere keeps its last element out of the page, for syncVideo to move into the next
 * container: snapshots sync the video while a taken-over call still shows its "Connecting…" screen, and releasing
 * then left every tile black until a keyframe when the stage came back (newcomer 6: once ~33 s).
 */
function releaseRemovedElements(room: Room): void {
  for (const participant of [room.localParticipant, ...room.remoteParticipants.values()]) {
    for (const publication of participant.videoTrackPublications.values()) {
      const track = publication.track;
      if (track?.attachedElements.some(element => element.isConnected)) {
        track.attachedElements.filter(element => !element.isConnected).forEach(element => track.detach(element));
      }
    }
  }
}

function participantOf(room: Room, identity: string): Participant | undefined {
  return room.localParticipant.identity === identity ? room.localParticipant : room.getParticipantByIdentity(identity);
}

function nameOf(p: Participant): string {
  return (p.name || p.identity).slice(0, 100); // names come from tokens; a long one must not stretch every tile
}

function roleOf(metadata: string | undefined): string {
  if (!metadata) {
    return 'Guest';
  }
  try {
    const role = (JSON.parse(metadata) as { Role?: unknown }).Role;
    return typeof role === 'string' ? role : 'Guest';
  } catch {
    return 'Guest';
  }
}

function qualityOf(quality: ConnectionQuality): ParticipantState['connectionQuality'] {
  switch (quality) {
    case ConnectionQuality.Excellent:
      return 'excellent';
    case ConnectionQuality.Good:
      return 'good';
    case ConnectionQuality.Poor:
      return 'poor';
    case ConnectionQuality.Lost:
      return 'lost';
    default:
      return 'unknown';
  }
}

class TimeoutError extends Error {}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(`The media server did not answer within ${ms / 1000} s.`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
