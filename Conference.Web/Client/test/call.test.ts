import {
  ConnectionError,
  ConnectionQuality,
  ConnectionState,
  DisconnectReason,
  Room,
  RoomEvent,
  Track,
  type Participant,
  type RemoteParticipant,
  type RemoteTrack,
  type RemoteTrackPublication,
} from 'livekit-client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CallController, type RoomSnapshot } from '../src/call';
import type { DotNetRef } from '../src/dotnet';
import { encodeMessage, messageTopic } from '../src/messages';

/** Records what the module tells .NET, as Blazor's DotNetObjectReference would receive it. */
class DotNetRecorder implements DotNetRef {
  readonly calls: { method: string; args: unknown[] }[] = [];
  invokeMethodAsync(method: string, ...args: unknown[]): Promise<unknown> {
    this.calls.push({ method, args });
    return Promise.resolve();
  }
  all(method: string): unknown[][] {
    return this.calls.filter(c => c.method === method).map(c => c.args);
  }
  last(method: string): unknown[] | undefined {
    return this.all(method).at(-1);
  }
  /** The room as .NET has it: the last whole snapshot with the changes sent since merged in (as EventsBridge does). */
  lastSnapshot(): RoomSnapshot {
    let room: RoomSnapshot | undefined;
    for (const { method, args } of this.calls) {
      if (method === 'OnParticipants') {
        room = args[0] as RoomSnapshot;
      } else if (method === 'OnParticipantChanges' && room) {
        const changed = args[0] as RoomSnapshot['participants'];
        room = {
          participants: room.participants.map(p => changed.find(c => c.identity === p.identity) ?? p),
          activeSpeakers: args[1] as string[],
        };
      }
    }
    return room!;
  }
  states(): unknown[] {
    return this.all('OnConnectionState').map(args => args[0]);
  }
}

/** A video track as livekit-client hands it over: attach() makes the element, detach() gives it back. */
function fakeVideoTrack(sid: string, source = Track.Source.Camera): RemoteTrack {
  const attachedElements: HTMLMediaElement[] = [];
  return {
    sid,
    kind: Track.Kind.Video,
    source,
    attachedElements,
    attach: () => {
      const video = document.createElement('video');
      attachedElements.push(video);
      return video;
    },
    detach: (element?: HTMLMediaElement) =>
      element ? attachedElements.splice(attachedElements.indexOf(element), 1) : attachedElements.splice(0),
  } as unknown as RemoteTrack;
}

function fakeAudioTrack(sid: string): RemoteTrack {
  return {
    sid,
    kind: Track.Kind.Audio,
    source: Track.Source.Microphone,
    attach: () => document.createElement('audio'),
    detach: () => [...document.querySelectorAll('audio')],
  } as unknown as RemoteTrack;
}

/** A remote participant with just what the module reads; tracks are added by publish(). */
function fakeParticipant(identity: string, name: string, role = 'Guest') {
  const publications = new Map<Track.Source, RemoteTrackPublication>();
  const participant = {
    identity,
    name,
    metadata: JSON.stringify({ Role: role }),
    isSpeaking: false,
    connectionQuality: ConnectionQuality.Good,
    joinedAt: new Date(1_700_000_000_000),
    get isMicrophoneEnabled() {
      return !!publications.get(Track.Source.Microphone) && !publications.get(Track.Source.Microphone)!.isMuted;
    },
    get isCameraEnabled() {
      return !!publications.get(Track.Source.Camera) && !publications.get(Track.Source.Camera)!.isMuted;
    },
    get isScreenShareEnabled() {
      return !!publications.get(Track.Source.ScreenShare);
    },
    getTrackPublication: (source: Track.Source) => publications.get(source),
    get videoTrackPublications() {
      return new Map([...publications.values()].filter(p => p.track?.kind === Track.Kind.Video).map(p => [p.trackSid, p]));
    },
    // Room.disconnect() walks these to unpublish.
    trackPublications: new Map<string, RemoteTrackPublication>(),
    unpublishTrack: () => undefined,
    publish(track: RemoteTrack) {
      const publication = { trackSid: track.sid, track, isMuted: false, source: track.source } as unknown as RemoteTrackPublication;
      publications.set(track.source, publication);
      return publication;
    },
    unpublish(source: Track.Source) {
      publications.delete(source);
    },
  };
  return participant;
}

type FakeParticipant = ReturnType<typeof fakeParticipant>;

/** Lets queued microtasks (the coalesced snapshot) run. */
const settle = () => new Promise(resolve => setTimeout(resolve, 0));

describe('CallController', () => {
  let dotnet: DotNetRecorder;
  let room: Room;
  let controller: CallController;
  let connect: ReturnType<typeof vi.fn>;

  beforeEach(() => {
    dotnet = new DotNetRecorder();
    room = new Room();
    connect = vi.fn(async () => {
      room.localParticipant.identity = 'me-123';
      room.localParticipant.name = 'Me';
      room.state = ConnectionState.Connected;
    });
    room.connect = connect as unknown as Room['connect'];
    vi.spyOn(room.localParticipant, 'setMicrophoneEnabled').mockResolvedValue(undefined);
    vi.spyOn(room.localParticipant, 'setCameraEnabled').mockResolvedValue(undefined);
    vi.spyOn(room.localParticipant, 'publishData').mockResolvedValue(undefined);
    controller = new CallController(dotnet, () => room);
  });

  afterEach(async () => {
    await controller.dispose();
    document.body.replaceChildren();
    vi.useRealTimers();
  });

  function join(participant: FakeParticipant) {
    room.remoteParticipants.set(participant.identity, participant as unknown as RemoteParticipant);
    room.emit(RoomEvent.ParticipantConnected, participant as unknown as RemoteParticipant);
  }

  /** In a call with Grace, whose camera this page receives: her track. */
  async function graceWithCamera() {
    await connected();
    const grace = fakeParticipant('grace-1', 'Grace');
    join(grace);
    const track = fakeVideoTrack('TR_cam');
    room.emit(RoomEvent.TrackSubscribed, track, grace.publish(track), grace as unknown as RemoteParticipant);
    return track;
  }

  /** A tile the page rendered for Grace's camera (the container syncVideo fills). */
  function tile() {
    const container = document.createElement('div');
    container.dataset.videoIdentity = 'grace-1';
    container.dataset.videoSource = 'camera';
    document.body.appendChild(container);
    return container;
  }

  async function connected() {
    const result = await controller.connect('wss://livekit.example', 'token', { microphone: true, camera: false });
    expect(result).toEqual({ ok: true });
    await settle();
  }

  it('connects with the url and token, publishes the chosen media and reports the local participant', async () => {
    await connected();

    expect(connect).toHaveBeenCalledWith('wss://livekit.example', 'token', expect.anything());
    expect(room.localParticipant.setMicrophoneEnabled).toHaveBeenCalledWith(true, undefined);
    expect(room.localParticipant.setCameraEnabled).not.toHaveBeenCalled();
    expect(dotnet.states()).toEqual(['connecting', 'connected']);
    const local = dotnet.lastSnapshot().participants;
    expect(local).toHaveLength(1);
    expect(local[0]).toMatchObject({ identity: 'me-123', name: 'Me', isLocal: true, role: 'Guest' });
  });

  it('reports a participant who joins, with name and role, and forgets them when they leave', async () => {
    await connected();
    const ada = fakeParticipant('ada-1', 'Ada', 'CoHost');

    join(ada);
    await settle();
    expect(dotnet.lastSnapshot().participants.map(p => p.identity)).toEqual(['me-123', 'ada-1']);
    expect(dotnet.lastSnapshot().participants[1]).toMatchObject({
      name: 'Ada', role: 'CoHost', isLocal: false, connectionQuality: 'good', microphoneEnabled: false, joinedAt: 1_700_000_000_000,
    });

    room.remoteParticipants.delete('ada-1');
    room.emit(RoomEvent.ParticipantDisconnected, ada as unknown as RemoteParticipant);
    await settle();
    expect(dotnet.lastSnapshot().participants.map(p => p.identity)).toEqual(['me-123']);
  });

  it('never reports a remote participant with its own identity (an older connection of this same person)', async () => {
    await connected();
    join(fakeParticipant('ada-1', 'Ada'));
    // This person's browser died and they joined again: LiveKit still lists the old connection until it goes.
    join(fakeParticipant('me-123', 'Me'));
    await settle();
    expect(dotnet.lastSnapshot().participants.map(p => [p.identity, p.isLocal])).toEqual([['me-123', true], ['ada-1', false]]);
  });

  it('coalesces the events of one moment into one snapshot', async () => {
    await connected();
    const before = dotnet.all('OnParticipants').length;
    join(fakeParticipant('a', 'A'));
    join(fakeParticipant('b', 'B'));
    room.emit(RoomEvent.ConnectionQualityChanged, ConnectionQuality.Poor, room.localParticipant);
    await settle();
    expect(dotnet.all('OnParticipants').length).toBe(before + 1);
  });

  it('puts a published camera into the container the page rendered, and takes it out when unsubscribed', async () => {
    await connected();
    const grace = fakeParticipant('grace-1', 'Grace');
    join(grace);
    const container = document.createElement('div');
    container.dataset.videoIdentity = 'grace-1';
    container.dataset.videoSource = 'camera';
    document.body.appendChild(container);

    const track = fakeVideoTrack('TR_cam');
    const publication = grace.publish(track);
    room.emit(RoomEvent.TrackSubscribed, track, publication, grace as unknown as RemoteParticipant);
    await settle();

    expect(dotnet.lastSnapshot().participants[1]).toMatchObject({ cameraEnabled: true, cameraTrackSid: 'TR_cam' });
    const video = container.querySelector('video');
    expect(video).not.toBeNull();
    expect(video!.dataset.trackSid).toBe('TR_cam');

    // A second sync must not stack another element.
    controller.syncVideo();
    expect(container.querySelectorAll('video')).toHaveLength(1);

    grace.unpublish(Track.Source.Camera);
    room.emit(RoomEvent.TrackUnsubscribed, track, publication, grace as unknown as RemoteParticipant);
    await settle();
    expect(container.querySelector('video')).toBeNull();
    expect(dotnet.lastSnapshot().participants[1]).toMatchObject({ cameraEnabled: false, cameraTrackSid: null });
  });

  it('moves a video whose container the page removed into the next container, and detaches one the track no longer needs', async () => {
    const track = await graceWithCamera();
    const first = tile();
    controller.syncVideo();
    expect(track.attachedElements).toHaveLength(1);
    const video = track.attachedElements[0] as HTMLVideoElement;
    const played = vi.spyOn(video, 'play').mockResolvedValue(undefined);

    first.remove(); // e.g. the grid became a focus layout, or a new circuit shows "Connecting…" before the stage
    controller.syncVideo(); // a snapshot meanwhile: no container anywhere, the element is kept
    expect(track.attachedElements).toEqual([video]);
    const second = tile();
    controller.syncVideo();
    // The same element, with its last frame, not a new black one; it plays on where it was paused by its removal.
    expect(track.attachedElements).toEqual([video]);
    expect(video.parentElement).toBe(second);
    expect(played).toHaveBeenCalledOnce();

    // An element out of the page while the track shows in another is of no more use: detached.
    const stray = track.attach();
    controller.syncVideo();
    expect(track.attachedElements).toEqual([video]);
    expect(stray.isConnected).toBe(false);
  });

  it('plays remote audio through an element of its own and removes it on unsubscribe', async () => {
    await connected();
    const ada = fakeParticipant('ada-1', 'Ada');
    join(ada);
    const track = fakeAudioTrack('TR_mic');
    const publication = ada.publish(track);

    room.emit(RoomEvent.TrackSubscribed, track, publication, ada as unknown as RemoteParticipant);
    expect(document.querySelectorAll('audio')).toHaveLength(1);
    room.emit(RoomEvent.TrackUnsubscribed, track, publication, ada as unknown as RemoteParticipant);
    expect(document.querySelectorAll('audio')).toHaveLength(0);
  });

  it('reports a screen share with its track sid so the page can focus it', async () => {
    await connected();
    const ada = fakeParticipant('ada-1', 'Ada');
    join(ada);
    const track = fakeVideoTrack('TR_screen', Track.Source.ScreenShare);
    const publication = ada.publish(track);
    room.emit(RoomEvent.TrackPublished, publication, ada as unknown as RemoteParticipant);
    await settle();
    expect(dotnet.lastSnapshot().participants[1]).toMatchObject({ screenSharing: true, screenShareTrackSid: 'TR_screen' });
  });

  it('reports the active speakers loudest first and marks them speaking', async () => {
    await connected();
    const ada = fakeParticipant('ada-1', 'Ada');
    const bob = fakeParticipant('bob-1', 'Bob');
    join(ada);
    join(bob);

    bob.isSpeaking = true;
    ada.isSpeaking = true;
    room.activeSpeakers = [bob, ada] as unknown as Participant[];
    room.emit(RoomEvent.ActiveSpeakersChanged, room.activeSpeakers);
    await settle();

    const snapshot = dotnet.lastSnapshot();
    expect(snapshot.activeSpeakers).toEqual(['bob-1', 'ada-1']);
    expect(snapshot.participants.filter(p => p.isSpeaking).map(p => p.identity)).toEqual(['ada-1', 'bob-1']);
  });

  it('sends only who changed when nobody came or went, the whole room when someone did, and nothing when nothing changed', async () => {
    await connected();
    // As in a connected room (an unconnected LocalParticipant answers "now" each time it is asked).
    Object.defineProperty(room.localParticipant, 'joinedAt', { value: new Date(1_700_000_000_000) });
    const ada = fakeParticipant('ada-1', 'Ada');
    const bob = fakeParticipant('bob-1', 'Bob');
    join(ada);
    join(bob);
    await settle();
    const whole = dotnet.all('OnParticipants').length;

    ada.isSpeaking = true;
    room.activeSpeakers = [ada] as unknown as Participant[];
    room.emit(RoomEvent.ActiveSpeakersChanged, room.activeSpeakers);
    await settle();
    expect(dotnet.all('OnParticipants').length).toBe(whole);
    const [changed, speakers] = dotnet.last('OnParticipantChanges')!;
    expect((changed as RoomSnapshot['participants']).map(p => [p.identity, p.isSpeaking])).toEqual([['ada-1', true]]);
    expect(speakers).toEqual(['ada-1']);
    expect(dotnet.lastSnapshot().participants.map(p => p.identity)).toEqual(['me-123', 'ada-1', 'bob-1']);

    const changes = dotnet.all('OnParticipantChanges').length;
    room.emit(RoomEvent.ActiveSpeakersChanged, room.activeSpeakers);
    await settle();
    expect(dotnet.all('OnParticipantChanges').length).toBe(changes);

    room.remoteParticipants.delete('bob-1');
    room.emit(RoomEvent.ParticipantDisconnected, bob as unknown as RemoteParticipant);
    await settle();
    expect(dotnet.all('OnParticipants').length).toBe(whole + 1);
    expect(dotnet.lastSnapshot().participants.map(p => p.identity)).toEqual(['me-123', 'ada-1']);
  });

  it('reports reconnecting and then connected again', async () => {
    await connected();
    room.emit(RoomEvent.Reconnecting);
    expect(dotnet.states().at(-1)).toBe('reconnecting');
    room.emit(RoomEvent.Reconnected);
    expect(dotnet.states().at(-1)).toBe('connected');
  });

  it('marks the page reconnecting itself, for when the circuit is lost with the network', async () => {
    await connected();
    expect(document.documentElement.dataset.callMedia).toBe('connected');
    // A signal-only reconnect (the network dropped: pings went unanswered) is a reconnect too.
    room.emit(RoomEvent.SignalReconnecting);
    expect(document.documentElement.dataset.callMedia).toBe('reconnecting');
    room.emit(RoomEvent.Reconnected);
    expect(document.documentElement.dataset.callMedia).toBe('connected');
    room.emit(RoomEvent.Reconnecting);
    room.emit(RoomEvent.Disconnected, DisconnectReason.UNKNOWN_REASON);
    expect(document.documentElement.dataset.callMedia).toBeUndefined();
  });

  it('reports a disconnect with LiveKit\'s reason, e.g. when the host ends the meeting', async () => {
    await connected();
    room.emit(RoomEvent.Disconnected, DisconnectReason.ROOM_DELETED);
    expect(dotnet.last('OnConnectionState')).toEqual(['disconnected', DisconnectReason.ROOM_DELETED]);
  });

  it('reports a second tab of the same person taking over as DUPLICATE_IDENTITY', async () => {
    await connected();
    room.emit(RoomEvent.Disconnected, DisconnectReason.DUPLICATE_IDENTITY);
    expect(dotnet.last('OnConnectionState')).toEqual(['disconnected', 2]);
  });

  it('says the token was refused when LiveKit answers 401', async () => {
    connect.mockRejectedValueOnce(ConnectionError.notAllowed('invalid token', 401));
    const result = await controller.connect('wss://livekit.example', 'bad', { microphone: false, camera: false });
    expect(result).toMatchObject({ ok: false, failure: 'refused' });
    expect(dotnet.states()).toEqual(['connecting', 'disconnected']);
  });

  it('says the media server cannot be reached when the WebSocket fails, and can retry', async () => {
    connect.mockRejectedValueOnce(ConnectionError.websocket('websocket closed', 0));
    const failed = await controller.connect('wss://livekit.example', 'token', { microphone: false, camera: false });
    expect(failed).toMatchObject({ ok: false, failure: 'unreachable' });

    const retried = await controller.connect('wss://livekit.example', 'token', { microphone: false, camera: false });
    expect(retried).toEqual({ ok: true });
    expect(connect).toHaveBeenCalledTimes(2);
  });

  it('gives up after a while when the media server accepts but never answers', async () => {
    vi.useFakeTimers();
    connect.mockImplementationOnce(() => new Promise(() => undefined));
    const pending = controller.connect('wss://livekit.example', 'token', { microphone: false, camera: false });
    await vi.advanceTimersByTimeAsync(20_000);
    expect(await pending).toMatchObject({ ok: false, failure: 'unreachable' });
  });

  it('refuses to connect with a passphrase where the browser cannot encrypt', async () => {
    controller = new CallController(dotnet, () => room, null, () => 'secret');
    const result = await controller.connect('wss://livekit.example', 'token', { microphone: false, camera: false, e2ee: true });
    expect(result).toMatchObject({ ok: false, failure: 'e2ee-unsupported' });
    expect(connect).not.toHaveBeenCalled();
  });

  it('never joins unencrypted when the page was shown as encrypted but the passphrase is gone', async () => {
    controller = new CallController(dotnet, () => room, null, () => null);
    const result = await controller.connect('wss://livekit.example', 'token', { microphone: false, camera: false, e2ee: true });
    expect(result).toMatchObject({ ok: false, failure: 'passphrase-missing' });
    expect(connect).not.toHaveBeenCalled();
  });

  it('reports the recording status at join and when it changes', async () => {
    await connected();
    expect(dotnet.last('OnRecording')).toEqual([false]);
    room.emit(RoomEvent.RecordingStatusChanged, true);
    expect(dotnet.last('OnRecording')).toEqual([true]);
  });

  it('passes chat, raised hands and reactions from others to .NET and ignores anything malformed', async () => {
    await connected();
    const ada = fakeParticipant('ada-1', 'Ada');
    join(ada);
    const from = ada as unknown as RemoteParticipant;

    room.emit(RoomEvent.DataReceived, encodeMessage({ type: 'chat', id: 'm1', text: 'hello' }), from, undefined, messageTopic);
    room.emit(RoomEvent.DataReceived, new TextEncoder().encode('not json'), from, undefined, messageTopic);
    room.emit(RoomEvent.DataReceived, encodeMessage({ type: 'chat', id: 'm2', text: 'other topic' }), from, undefined, 'lk.other');
    room.emit(RoomEvent.DataReceived, encodeMessage({ type: 'reaction', emoji: '<script>' }), from, undefined, messageTopic);
    room.emit(RoomEvent.DataReceived, encodeMessage({ type: 'reaction', emoji: '🎉' }), from, undefined, messageTopic);
    room.emit(RoomEvent.DataReceived, encodeMessage({ type: 'hand', raised: true }), from, undefined, messageTopic);
    await settle();

    expect(dotnet.all('OnChat')).toEqual([[{ id: 'm1', identity: 'ada-1', name: 'Ada', text: 'hello', isLocal: false }]]);
    expect(dotnet.all('OnReaction')).toEqual([[{ identity: 'ada-1', name: 'Ada', emoji: '🎉' }]]);
    expect(dotnet.lastSnapshot().participants[1].handRaised).toBe(true);
  });

  it('sends chat and a raised hand on the data channel and shows them locally', async () => {
    await connected();
    expect(await controller.sendChat('  hi all  ')).toBe('sent');
    expect(await controller.setHandRaised(true)).toBe('sent');
    expect(await controller.sendChat('   ')).toBe('not-sent');
    await settle();

    const sent = vi.mocked(room.localParticipant.publishData).mock.calls;
    expect(sent).toHaveLength(2);
    expect(JSON.parse(new TextDecoder().decode(sent[0][0]))).toMatchObject({ type: 'chat', text: 'hi all' });
    expect(sent[0][1]).toMatchObject({ reliable: true, topic: messageTopic });
    expect(dotnet.last('OnChat')![0]).toMatchObject({ identity: 'me-123', text: 'hi all', isLocal: true });
    expect(dotnet.lastSnapshot().participants[0].handRaised).toBe(true);
  });

  it('tells the sender to slow down past the receivers\' limit, and never shows as sent what they would drop', async () => {
    let clock = 0;
    controller = new CallController(dotnet, () => room, null, () => null, () => clock);
    await connected();
    // Fifteen messages in one go (a newcomer's test: the others received six, and the sender saw all fifteen as sent).
    const outcomes: string[] = [];
    for (let i = 0; i < 15; i++) {
      outcomes.push(await controller.sendChat(`message ${i}`));
    }
    const sent = outcomes.filter(o => o === 'sent').length;
    expect(outcomes).toEqual([...Array(sent).fill('sent'), ...Array(15 - sent).fill('too-fast')]);
    expect(sent).toBeGreaterThan(0);
    expect(room.localParticipant.publishData).toHaveBeenCalledTimes(sent);
    expect(dotnet.all('OnChat')).toHaveLength(sent);

    // What was published reaches another page, which drops none of it.
    const receiverDotnet = new DotNetRecorder();
    const receiverRoom = new Room();
    receiverRoom.connect = (async () => {
      receiverRoom.localParticipant.identity = 'other-1';
      receiverRoom.state = ConnectionState.Connected;
    }) as unknown as Room['connect'];
    const receiver = new CallController(receiverDotnet, () => receiverRoom, null, () => null, () => clock);
    await receiver.connect('wss://livekit.example', 'token', { microphone: false, camera: false });
    const me = fakeParticipant('me-123', 'Me');
    receiverRoom.remoteParticipants.set(me.identity, me as unknown as RemoteParticipant);
    for (const [payload] of vi.mocked(room.localParticipant.publishData).mock.calls) {
      receiverRoom.emit(RoomEvent.DataReceived, payload, me as unknown as RemoteParticipant, undefined, messageTopic);
    }
    expect(receiverDotnet.all('OnChat')).toHaveLength(sent);
    await receiver.dispose();

    // Reactions and hands are held the same way; a moment later the person may go on.
    while ((await controller.sendReaction('🎉')) === 'sent') {
      // the burst
    }
    expect(await controller.sendReaction('🎉')).toBe('too-fast');
    clock += 1000;
    expect(await controller.sendChat('sorry')).toBe('sent');
  });

  it('tells a newcomer that our hand is up', async () => {
    await connected();
    await controller.setHandRaised(true);
    join(fakeParticipant('late-1', 'Late'));
    const last = vi.mocked(room.localParticipant.publishData).mock.calls.at(-1)!;
    expect(last[1]).toMatchObject({ destinationIdentities: ['late-1'] });
  });

  it('reports a camera the browser refuses instead of throwing', async () => {
    await connected();
    vi.mocked(room.localParticipant.setCameraEnabled).mockRejectedValueOnce(new DOMException('denied', 'NotAllowedError'));
    expect(await controller.setCamera(true)).toBe(false);
    expect(dotnet.last('OnMediaError')).toEqual(['camera', 'permission', 'denied']);
  });

  it('names the device when the browser loses or refuses one mid-call', async () => {
    await connected();
    room.emit(RoomEvent.MediaDevicesError, new DOMException('gone', 'NotFoundError'), 'videoinput');
    expect(dotnet.last('OnMediaError')).toEqual(['camera', 'no-device', 'gone']);
    room.emit(RoomEvent.MediaDevicesError, new DOMException('busy', 'NotReadableError'), 'audioinput');
    expect(dotnet.last('OnMediaError')).toEqual(['microphone', 'in-use', 'busy']);
  });

  it('toggles the microphone with Ctrl+Shift+A and the camera with Ctrl+Shift+V', async () => {
    await connected();
    controller.enableShortcuts();
    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'A', ctrlKey: true, shiftKey: true }));
    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'V', metaKey: true, shiftKey: true }));
    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'v', shiftKey: true })); // no modifier: typing, not a shortcut
    await settle();
    // connect() asked once; the mocked microphone never went live, so the shortcut asks to turn it on again.
    expect(room.localParticipant.setMicrophoneEnabled).toHaveBeenCalledTimes(2);
    expect(room.localParticipant.setMicrophoneEnabled).toHaveBeenLastCalledWith(true, undefined);
    expect(room.localParticipant.setCameraEnabled).toHaveBeenCalledTimes(1);
  });

  it('hands the live call to a new circuit whole, and reports to it from then on', async () => {
    await connected();
    const ada = fakeParticipant('ada-1', 'Ada');
    join(ada);
    room.emit(RoomEvent.DataReceived, encodeMessage({ type: 'chat', id: 'm1', text: 'hello' }), ada as unknown as RemoteParticipant, undefined, messageTopic);
    room.emit(RoomEvent.DataReceived, encodeMessage({ type: 'hand', raised: true }), ada as unknown as RemoteParticipant, undefined, messageTopic);
    await settle();
    expect(CallController.live).toBe(controller);

    const next = new DotNetRecorder();
    expect(controller.attach(next)).toBe(true);
    await settle();

    expect(next.states()).toEqual(['connected']);
    expect(next.all('OnChat')).toEqual([[{ id: 'm1', identity: 'ada-1', name: 'Ada', text: 'hello', isLocal: false }]]);
    expect(next.last('OnRecording')).toEqual([false]);
    expect(next.lastSnapshot().participants.map(p => [p.identity, p.handRaised])).toEqual([['me-123', false], ['ada-1', true]]);
    const before = dotnet.calls.length;
    join(fakeParticipant('bo-2', 'Bo'));
    await settle();
    expect(dotnet.calls.length).toBe(before);
    expect(next.lastSnapshot().participants).toHaveLength(3);
  });

  it('puts the kept videos into the stage a new circuit rendered before it took the call over', async () => {
    await graceWithCamera();
    const before = tile();
    controller.syncVideo();
    const video = before.querySelector('video');
    before.remove(); // the circuit is lost; the next one renders its stage from what it was left with
    const after = tile();

    expect(controller.attach(new DotNetRecorder())).toBe(true);

    // At once, the same element: no round trip to .NET first.
    expect(after.querySelector('video')).toBe(video);
  });

  it('goes on when .NET cannot be reached (no circuit), and a new circuit still gets what it missed', async () => {
    await connected();
    const gone: DotNetRef = { invokeMethodAsync: () => { throw new Error('The circuit is gone.'); } };
    controller.attach(gone);
    const ada = fakeParticipant('ada-1', 'Ada');
    join(ada);
    room.emit(RoomEvent.DataReceived, encodeMessage({ type: 'chat', id: 'm1', text: 'while away' }), ada as unknown as RemoteParticipant, undefined, messageTopic);
    await settle();

    const next = new DotNetRecorder();
    expect(controller.attach(next)).toBe(true);
    await settle();
    expect(next.all('OnChat').map(args => (args[0] as { text: string }).text)).toEqual(['while away']);
    expect(next.lastSnapshot().participants.map(p => p.identity)).toEqual(['me-123', 'ada-1']);
  });

  it('tells its own circuit again what it missed while the page was cut off from the server', async () => {
    await connected();
    const ada = fakeParticipant('ada-1', 'Ada');
    const bo = fakeParticipant('bo-2', 'Bo');
    join(ada);
    join(bo);
    room.emit(RoomEvent.DataReceived, encodeMessage({ type: 'chat', id: 'm1', text: 'before' }), ada as unknown as RemoteParticipant, undefined, messageTopic);
    await settle();

    // The network drops: the circuit's connection with it, so nothing the module says reaches .NET.
    const told = dotnet.calls.length;
    vi.spyOn(dotnet, 'invokeMethodAsync').mockRejectedValue(new Error('Cannot send data if the connection is not in the Connected state.'));
    room.emit(RoomEvent.Reconnecting);
    room.remoteParticipants.delete('bo-2');
    room.emit(RoomEvent.ParticipantDisconnected, bo as unknown as RemoteParticipant);
    room.emit(RoomEvent.DataReceived, encodeMessage({ type: 'chat', id: 'm2', text: 'while away' }), ada as unknown as RemoteParticipant, undefined, messageTopic);
    room.emit(RoomEvent.DataReceived, encodeMessage({ type: 'hand', raised: true }), ada as unknown as RemoteParticipant, undefined, messageTopic);
    room.emit(RoomEvent.Reconnected);
    await settle();
    vi.mocked(dotnet.invokeMethodAsync).mockRestore();
    expect(dotnet.calls.length).toBe(told);

    controller.resync('m1');
    await settle();
    expect(dotnet.states().at(-1)).toBe('connected');
    expect(dotnet.all('OnChat').map(args => (args[0] as { text: string }).text)).toEqual(['before', 'while away']);
    expect(dotnet.lastSnapshot().participants.map(p => [p.identity, p.handRaised])).toEqual([['me-123', false], ['ada-1', true]]);
  });

  it('tells its own circuit that the call ended while the page was cut off from the server', async () => {
    await connected();
    vi.spyOn(dotnet, 'invokeMethodAsync').mockRejectedValue(new Error('Cannot send data if the connection is not in the Connected state.'));
    room.state = ConnectionState.Disconnected; // as livekit-client sets it before it emits Disconnected
    room.emit(RoomEvent.Disconnected, DisconnectReason.ROOM_DELETED);
    await settle();
    vi.mocked(dotnet.invokeMethodAsync).mockRestore();

    controller.resync(null);
    expect(dotnet.last('OnConnectionState')).toEqual(['disconnected', DisconnectReason.ROOM_DELETED]);
  });

  it('has no call to hand over once left', async () => {
    await connected();
    await controller.leave();
    expect(CallController.live).toBeNull();
    expect(controller.attach(new DotNetRecorder())).toBe(false);
  });

  it('stops reporting after leave', async () => {
    await connected();
    await controller.leave();
    const count = dotnet.calls.length;
    join(fakeParticipant('ada-1', 'Ada'));
    await settle();
    expect(dotnet.calls.length).toBe(count);
    expect(dotnet.last('OnConnectionState')).toEqual(['disconnected', DisconnectReason.CLIENT_INITIATED]);
  });

  it('passes a chat with an out-of-range sentAt on without any time: the receiver stamps its own', async () => {
    await connected();
    const mallory = fakeParticipant('mallory-1', 'Mallory');
    join(mallory);
    const payload = new TextEncoder().encode(JSON.stringify({ type: 'chat', id: 'm1', text: 'boom', sentAt: 9e15 }));
    room.emit(RoomEvent.DataReceived, payload, mallory as unknown as RemoteParticipant, undefined, messageTopic);
    expect(dotnet.all('OnChat')).toEqual([[{ id: 'm1', identity: 'mallory-1', name: 'Mallory', text: 'boom', isLocal: false }]]);
  });

  it('drops malformed and oversized messages before .NET sees them', async () => {
    await connected();
    const mallory = fakeParticipant('mallory-1', 'Mallory');
    join(mallory);
    const from = mallory as unknown as RemoteParticipant;
    const send = (value: unknown) => room.emit(RoomEvent.DataReceived, new TextEncoder().encode(JSON.stringify(value)), from, undefined, messageTopic);
    send({ type: 'chat', id: 'm1', text: 'x'.repeat(100_000) });
    send({ type: 'chat', id: 'm2', text: { toString: 'boom' } });
    send({ type: 'chat', id: '<img src=x>', text: 'hi' });
    send({ type: 'reaction', emoji: '🙂'.repeat(1000) });
    send({ type: 'hand', raised: 1 });
    room.emit(RoomEvent.DataReceived, new Uint8Array(1_000_000), from, undefined, messageTopic);
    await settle();
    expect(dotnet.all('OnChat')).toEqual([]);
    expect(dotnet.all('OnReaction')).toEqual([]);
    expect(dotnet.lastSnapshot().participants[1].handRaised).toBe(false);
  });

  it('drops a flood from one sender, in order, and still passes on everyone else', async () => {
    let clock = 0;
    controller = new CallController(dotnet, () => room, null, () => null, () => clock);
    await connected();
    const mallory = fakeParticipant('mallory-1', 'Mallory');
    const ada = fakeParticipant('ada-1', 'Ada');
    join(mallory);
    join(ada);
    for (let i = 0; i < 1000; i++) {
      room.emit(RoomEvent.DataReceived, encodeMessage({ type: 'chat', id: `f${i}`, text: `flood ${i}` }), mallory as unknown as RemoteParticipant, undefined, messageTopic);
      room.emit(RoomEvent.DataReceived, encodeMessage({ type: 'reaction', emoji: '🎉' }), mallory as unknown as RemoteParticipant, undefined, messageTopic);
    }
    room.emit(RoomEvent.DataReceived, encodeMessage({ type: 'chat', id: 'a1', text: 'hello' }), ada as unknown as RemoteParticipant, undefined, messageTopic);
    const chats = dotnet.all('OnChat').map(args => (args[0] as { id: string }).id);
    expect(chats).toEqual(['f0', 'f1', 'f2', 'f3', 'f4', 'a1']);
    expect(dotnet.all('OnReaction').length).toBeLessThanOrEqual(8);

    clock += 1000; // a second later Mallory may say one more thing
    room.emit(RoomEvent.DataReceived, encodeMessage({ type: 'chat', id: 'late', text: 'sorry' }), mallory as unknown as RemoteParticipant, undefined, messageTopic);
    expect((dotnet.last('OnChat')![0] as { id: string }).id).toBe('late');
  });
});
