import { ProtocolEvent, SERVER_EVENTS } from '@nest-realtime/protocol';
import type { ServerEventName } from '@nest-realtime/protocol';
import { RealtimeError } from './error/realtime.error';
import { RealtimeClient } from './realtime-client';
import { ScriptedSocket, ScriptedTransport } from './testing/scripted.transport';

const ENDPOINT = 'ws://127.0.0.1:1/realtime';

interface Connected {
  client: RealtimeClient;
  socket: ScriptedSocket;
  scripted: ScriptedTransport;
}

interface ServerEventCase {
  /** What the client does with a frame of the event. */
  does: string;
  check(): Promise<void>;
}

let created: RealtimeClient<any>[] = [];

afterEach(() => {
  created.forEach((client) => client.close());
  created = [];
  jest.useRealTimers();
});

async function connected(scripted = new ScriptedTransport()): Promise<Connected> {
  const client = new RealtimeClient({ url: ENDPOINT, transport: scripted.transport, reconnect: { random: () => 0 } });
  created.push(client);
  const ready = client.connect();
  const socket = await scripted.socket(1);
  socket.welcome();
  await ready;
  return { client, socket, scripted };
}

async function joined({ client, socket }: Connected, name: string) {
  const channel = client.channel<string>(name);
  const joining = channel.join();
  socket.replyAll(ProtocolEvent.ChannelJoin, () => ({ channel: name }));
  await joining;
  return channel;
}

const presences = (...connections: Array<[string, string]>) =>
  Object.fromEntries(connections.map(([clientId, connectionId]) => [clientId, { metas: [{ connectionId, onlineAt: 1 }] }]));

/**
 * One case per event the server sends. A `Record` over `ServerEventName`: an event added to the protocol
 * does not compile here until it has its case, and the first test fails until the client handles it.
 */
const cases: Record<ServerEventName, ServerEventCase> = {
  [ProtocolEvent.Welcome]: {
    does: 'becomes connected with it, and reports a second one on the same connection as a protocol error',
    async check() {
      const scripted = new ScriptedTransport();
      const client = new RealtimeClient({ url: ENDPOINT, transport: scripted.transport });
      created.push(client);
      const ready = client.connect();
      const socket = await scripted.socket(1);
      expect(client.state).toBe('connecting');

      socket.welcome({ interval: 1_000, timeout: 3_000 }, 'bob');

      await expect(ready).resolves.toEqual({ connectionId: socket.connectionId, clientId: 'bob', heartbeat: { interval: 1_000, timeout: 3_000 } });
      expect(client.state).toBe('connected');
      const errors: string[] = [];
      client.on('error', (error) => errors.push(error.code));
      socket.push({ event: ProtocolEvent.Welcome, data: { connectionId: 'other', clientId: 'mallory', heartbeat: { interval: 1_000, timeout: 3_000 } } });
      expect(errors).toEqual(['protocol']);
      expect(client.welcome).toMatchObject({ connectionId: socket.connectionId, clientId: 'bob' });
    },
  },
  [ProtocolEvent.Pong]: {
    does: 'counts it as a sign of life, so a connection that answers its pings stays up, and hands it to no listener',
    async check() {
      jest.useFakeTimers();
      const scripted = new ScriptedTransport(false);
      const client = new RealtimeClient({ url: ENDPOINT, transport: scripted.transport });
      created.push(client);
      const appEvents: unknown[] = [];
      client.onEvent(ProtocolEvent.Pong, (data) => appEvents.push(data));
      client.connect();
      const socket = await scripted.socket(1);
      socket.welcome({ interval: 1_000, timeout: 3_000 });

      for (let second = 0; second < 6; second++) {
        await jest.advanceTimersByTimeAsync(1_000);
        socket.push({ event: ProtocolEvent.Pong, data: { t: second } });
      }
      expect(socket.aborted).toBe(false);
      expect(client.state).toBe('connected');
      expect(socket.events().filter((event) => event === ProtocolEvent.Ping).length).toBeGreaterThanOrEqual(5);

      await jest.advanceTimersByTimeAsync(3_500);
      expect(socket.aborted).toBe(true);
      expect(appEvents).toEqual([]);
    },
  },
  [ProtocolEvent.Heartbeat]: {
    does: 'adopts the new interval and timeout, so a server that stretched them is not taken for dead, and reports invalid ones',
    async check() {
      jest.useFakeTimers();
      const scripted = new ScriptedTransport(false);
      const client = new RealtimeClient({ url: ENDPOINT, transport: scripted.transport });
      created.push(client);
      const errors: string[] = [];
      client.on('error', (error) => errors.push(error.code));
      client.connect();
      const socket = await scripted.socket(1);
      socket.welcome({ interval: 1_000, timeout: 3_000 });
      await jest.advanceTimersByTimeAsync(0);

      socket.push({ event: ProtocolEvent.Heartbeat, data: { interval: 4_000, timeout: 12_000 } });
      const pingsBefore = socket.events().filter((event) => event === ProtocolEvent.Ping).length;
      // Silent for well past the welcome's timeout, within the new one.
      await jest.advanceTimersByTimeAsync(9_000);

      expect(socket.aborted).toBe(false);
      expect(client.welcome?.heartbeat).toEqual({ interval: 4_000, timeout: 12_000 });
      expect(socket.events().filter((event) => event === ProtocolEvent.Ping).length - pingsBefore).toBe(2);
      socket.push({ event: ProtocolEvent.Heartbeat, data: { interval: 4_000, timeout: 1_000 } });
      expect(errors).toEqual(['protocol']);
      expect(client.welcome?.heartbeat).toEqual({ interval: 4_000, timeout: 12_000 });

      // Checked twice per interval: silence past the timeout is noticed within half an interval.
      await jest.advanceTimersByTimeAsync(14_500);
      expect(socket.aborted).toBe(true);
    },
  },
  [ProtocolEvent.State]: {
    does: "reports it as the client's serverState event",
    async check() {
      const { client, socket } = await connected();
      const seen: unknown[] = [];
      client.on('serverState', (state) => seen.push(state));

      socket.push({ event: ProtocolEvent.State, data: { state: 'idle', previous: 'connected', at: 5 } });

      expect(seen).toEqual([{ state: 'idle', previous: 'connected', at: 5 }]);
    },
  },
  [ProtocolEvent.ChannelMessage]: {
    does: "hands it to its channel's message listeners and follows the channel's position",
    async check() {
      const session = await connected();
      const news = await joined(session, 'news:a');
      const payloads: string[] = [];
      news.onMessage((message) => payloads.push(message.payload));

      session.socket.push({ event: ProtocolEvent.ChannelMessage, data: { channel: 'news:a', from: 'bob', payload: 'hi', at: 1, offset: 4, epoch: 'e1' } });
      session.socket.push({ event: ProtocolEvent.ChannelMessage, data: { channel: 'news:other', from: 'bob', payload: 'not mine', at: 1 } });

      expect(payloads).toEqual(['hi']);
      expect(news.position).toEqual({ offset: 4, epoch: 'e1' });
    },
  },
  [ProtocolEvent.ChannelKicked]: {
    does: 'leaves the channel with the reason, clears its presence, tells the channel and the client, and does not rejoin it after a reconnect',
    async check() {
      const session = await connected();
      const { client, socket, scripted } = session;
      const room = await joined(session, 'room:a');
      const other = await joined(session, 'room:b');
      socket.push({ event: ProtocolEvent.PresenceState, data: { channel: 'room:a', presences: presences(['alice', socket.connectionId], ['bob', 'b1']) } });
      const seen: unknown[] = [];
      room.on('kicked', (kick) => seen.push(['channel kicked', kick, room.state]));
      room.on('left', (left) => seen.push(['channel left', left]));
      client.on('channelKicked', (kick) => seen.push(['client channelKicked', kick]));

      socket.push({ event: ProtocolEvent.ChannelKicked, data: { channel: 'room:a', reason: 'spamming' } });

      expect(seen).toEqual([
        ['channel left', { channel: 'room:a', kicked: { reason: 'spamming' } }],
        ['channel kicked', { channel: 'room:a', reason: 'spamming' }, 'left'],
        ['client channelKicked', { channel: 'room:a', reason: 'spamming' }],
      ]);
      expect([room.state, other.state]).toEqual(['left', 'joined']);
      expect(room.presence.list()).toEqual([]);
      await expect(room.publish('still here?')).rejects.toMatchObject({ code: 'not_joined' });

      socket.end({ code: 1006, reason: '' });
      const next = await scripted.socket(2);
      next.welcome();
      expect(next.sent.map((frame) => [frame.event, frame.data])).toEqual([[ProtocolEvent.ChannelJoin, { channel: 'room:b', stateInReply: false, presenceFormat: 'compact' }]]);
    },
  },
  [ProtocolEvent.ChannelGap]: {
    does: "tells its channel's gap listeners, and stays joined",
    async check() {
      const session = await connected();
      const room = await joined(session, 'room:a');
      const gaps: unknown[] = [];
      room.on('gap', (gap) => gaps.push(gap));

      session.socket.push({ event: ProtocolEvent.ChannelGap, data: { channel: 'room:a', reason: 'no_history' } });
      session.socket.push({ event: ProtocolEvent.ChannelGap, data: { channel: 'room:other', reason: 'no_history' } });

      expect(gaps).toEqual([{ channel: 'room:a', reason: 'no_history' }]);
      expect(room.state).toBe('joined');
    },
  },
  [ProtocolEvent.PresenceState]: {
    does: "replaces its channel's presence copy",
    async check() {
      const session = await connected();
      const room = await joined(session, 'room:a');

      session.socket.push({ event: ProtocolEvent.PresenceState, data: { channel: 'room:a', presences: presences(['alice', 'a1'], ['bob', 'b1']) } });

      expect(room.presence.list().map((member) => member.clientId)).toEqual(['alice', 'bob']);
      expect(room.presence.inSync).toBe(true);
    },
  },
  [ProtocolEvent.PresenceDiff]: {
    does: "applies it to its channel's presence copy",
    async check() {
      const session = await connected();
      const room = await joined(session, 'room:a');
      session.socket.push({ event: ProtocolEvent.PresenceState, data: { channel: 'room:a', presences: presences(['alice', 'a1'], ['bob', 'b1']) } });

      session.socket.push({ event: ProtocolEvent.PresenceDiff, data: { channel: 'room:a', joins: presences(['carol', 'c1']), leaves: presences(['bob', 'b1']), updates: {} } });

      expect(room.presence.list().map((member) => member.clientId)).toEqual(['alice', 'carol']);
    },
  },
  [ProtocolEvent.StateSnapshot]: {
    does: "replaces one scope of its channel's shared state, or fills the group state it names",
    async check() {
      const session = await connected();
      const room = await joined(session, 'room:a');
      const entry = (value: string, version = 1) => ({ value, version, by: 'bob', at: 1 });

      session.socket.push({ event: ProtocolEvent.StateSnapshot, data: { channel: 'room:a', entries: { topic: entry('hello') }, revision: 3, epoch: 'e1' } });
      session.socket.push({ event: ProtocolEvent.StateSnapshot, data: { group: 'team:ops', entries: { shift: entry('night') }, revision: 1, epoch: 'g1' } });
      session.socket.push({ event: ProtocolEvent.StateSnapshot, data: { channel: 'room:other', entries: { topic: entry('not mine') }, revision: 1, epoch: 'e1' } });

      expect([room.sharedState.ready, room.sharedState.get('topic')]).toEqual([true, 'hello']);
      expect(room.sharedState.positions()).toEqual({ 'room:a': { revision: 3, epoch: 'e1' } });
      expect(session.client.groupState('team:ops').values()).toEqual({ shift: 'night' });
    },
  },
  [ProtocolEvent.StateDiff]: {
    does: "applies it to its channel's (or group's) shared state when its revision is above the copy's",
    async check() {
      const session = await connected();
      const room = await joined(session, 'room:a');
      const entry = (value: string, version: number) => ({ value, version, by: 'bob', at: 1 });
      session.socket.push({ event: ProtocolEvent.StateSnapshot, data: { channel: 'room:a', entries: { topic: entry('hello', 1) }, revision: 3, epoch: 'e1' } });
      session.socket.push({ event: ProtocolEvent.StateSnapshot, data: { group: 'team:ops', entries: {}, revision: 0, epoch: 'g1' } });

      session.socket.push({ event: ProtocolEvent.StateDiff, data: { channel: 'room:a', revision: 4, set: { topic: entry('news', 2) }, removed: [] } });
      session.socket.push({ event: ProtocolEvent.StateDiff, data: { channel: 'room:a', revision: 4, set: { topic: entry('late', 2) }, removed: [] } });
      session.socket.push({ event: ProtocolEvent.StateDiff, data: { group: 'team:ops', revision: 1, set: { shift: entry('day', 1) }, removed: [] } });

      expect([room.sharedState.get('topic'), room.sharedState.version('topic')]).toEqual(['news', 2]);
      expect(session.client.groupState('team:ops').get('shift')).toBe('day');
    },
  },
  [ProtocolEvent.DirectMessage]: {
    does: "reports it as the client's direct event",
    async check() {
      const { client, socket } = await connected();
      const seen: unknown[] = [];
      client.on('direct', (message) => seen.push(message));

      socket.push({ event: ProtocolEvent.DirectMessage, data: { from: 'bob', payload: { text: 'psst' }, at: 2 } });

      expect(seen).toEqual([{ from: 'bob', payload: { text: 'psst' }, at: 2 }]);
    },
  },
  [ProtocolEvent.Reply]: {
    does: 'settles the request of its ref: its result, or a RealtimeError with the server’s code',
    async check() {
      const { client, socket } = await connected();
      const accepted = client.request('chat:shout', { text: 'a' });
      const refused = client.request('chat:shout', { text: 'b' });
      const [first, second] = socket.sent;

      socket.push({ event: ProtocolEvent.Reply, ref: first.ref, data: { ok: true, result: { delivered: 2 } } });
      socket.push({ event: ProtocolEvent.Reply, ref: second.ref, data: { ok: false, error: { code: 'rate_limited', message: 'Slow down.', details: { retryAfter: 50 } } } });

      await expect(accepted).resolves.toEqual({ delivered: 2 });
      const error = await refused.catch((failure: unknown) => failure);
      expect(error).toBeInstanceOf(RealtimeError);
      expect(error).toMatchObject({ code: 'rate_limited', message: 'Slow down.', details: { retryAfter: 50 } });
    },
  },
  [ProtocolEvent.Error]: {
    does: "reports it as a RealtimeError with the server's code on the client's error event",
    async check() {
      const { client, socket } = await connected();
      const errors: RealtimeError[] = [];
      client.on('error', (error) => errors.push(error));

      socket.push({ event: ProtocolEvent.Error, data: { code: 'unknown_event', message: 'No handler for "x".', event: 'x' } });
      socket.push({ event: ProtocolEvent.Error, data: { message: 'no code' } });

      expect(errors.map((error) => [error.code, error.message])).toEqual([
        ['unknown_event', 'No handler for "x".'],
        ['protocol', 'The server answered with an error that has no valid code.'],
      ]);
    },
  },
};

describe('RealtimeClient, for each event the server sends', () => {
  it('has a case for every event of the protocol, and none other', () => {
    expect(Object.keys(cases).sort()).toEqual([...SERVER_EVENTS].sort());
  });

  it.each(SERVER_EVENTS.map((event) => [event, cases[event].does] as const))('%s: %s', async (event) => {
    await cases[event].check();
  });
});
