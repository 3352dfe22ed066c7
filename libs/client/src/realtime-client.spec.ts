import { RealtimeError } from './error/realtime.error';
import { RealtimeClient } from './realtime-client';
import type { RealtimeClientOptions } from './realtime-client.options';
import { ScriptedSocket, ScriptedTransport } from './testing/scripted.transport';

const ENDPOINT = 'ws://127.0.0.1:1/realtime';

function joinsOf(socket: ScriptedSocket): unknown[] {
  return socket.sent.filter((frame) => frame.event === 'channel:join').map((frame) => frame.data);
}

function payloadsOf(socket: ScriptedSocket): unknown[] {
  return socket.sent.filter((frame) => frame.event === 'channel:publish').map((frame) => (frame.data as { payload: unknown }).payload);
}

describe('RealtimeClient', () => {
  let scripted: ScriptedTransport;
  let clients: RealtimeClient<any>[];

  beforeEach(() => {
    scripted = new ScriptedTransport();
    clients = [];
  });

  afterEach(() => {
    clients.forEach((client) => client.close());
    jest.useRealTimers();
  });

  function client(options: Partial<RealtimeClientOptions> = {}): RealtimeClient {
    const created = new RealtimeClient({ url: ENDPOINT, transport: scripted.transport, reconnect: { random: () => 0 }, ...options });
    clients.push(created);
    return created;
  }

  async function connected(target: RealtimeClient, count = scripted.sockets.length + 1): Promise<ScriptedSocket> {
    const socket = await scripted.socket(count);
    socket.welcome();
    return socket;
  }

  /** Joins the channel, the server on `socket` saying yes. */
  async function joinedOn<C extends { join(): Promise<unknown> }>(socket: ScriptedSocket, channel: C): Promise<C> {
    const joined = channel.join();
    socket.replyAll('channel:join');
    await joined;
    return channel;
  }

  describe('connecting', () => {
    it("offers the MessagePack subprotocol with encoding 'msgpack'", async () => {
      const realtime = client({ encoding: 'msgpack' });
      void realtime.connect().catch(() => undefined);

      expect((await scripted.socket()).protocols).toEqual(['realtime.v1.msgpack']);
    });

    it('offers the JSON subprotocol and sends the token and params in the query', async () => {
      const realtime = client({ token: 's3cret', params: { v: '1' } });
      const welcome = realtime.connect();
      const socket = await connected(realtime);

      await expect(welcome).resolves.toEqual(expect.objectContaining({ connectionId: socket.connectionId, clientId: 'alice' }));
      expect(socket.protocols).toEqual(['realtime.v1.json']);
      expect(socket.token).toBe('s3cret');
      expect(new URL(socket.url).searchParams.get('v')).toBe('1');
      expect(realtime.state).toBe('connected');
    });

    it('fetches a fresh token before every attempt', async () => {
      let issued = 0;
      const realtime = client({ token: async () => `t${++issued}` });
      realtime.connect();
      const first = await connected(realtime);
      first.end({ code: 1006, reason: '' });
      const second = await connected(realtime);

      expect([first.token, second.token]).toEqual(['t1', 't2']);
    });

    it('walks connecting → connected → reconnecting → connected, and tells each change once', async () => {
      const realtime = client();
      const seen: string[] = [];
      realtime.state$.subscribe((state) => seen.push(state));
      realtime.connect();
      (await connected(realtime)).end({ code: 1001, reason: 'server going away' });
      await connected(realtime);

      expect(seen).toEqual(['disconnected', 'connecting', 'connected', 'reconnecting', 'connected']);
    });

    it('stays connecting while the first attempts fail', async () => {
      const realtime = client();
      const states: string[] = [];
      realtime.on('state', ({ state }) => states.push(state));
      realtime.connect();
      (await scripted.socket(1)).end({ code: 1006, reason: '' });
      (await scripted.socket(2)).end({ code: 1006, reason: '' });
      await connected(realtime, 3);

      expect(states).toEqual(['connecting', 'connected']);
    });

    it('ignores frames before the welcome and waits for it', async () => {
      const realtime = client();
      realtime.connect();
      const socket = await scripted.socket(1);
      socket.push({ event: 'chat:note', data: 1 });
      expect(realtime.state).toBe('connecting');

      socket.welcome();
      expect(realtime.state).toBe('connected');
    });
  });

  describe('when a connection ends', () => {
    it.each([
      [{ code: 1006, reason: '', status: 401 }, 'unauthorized'],
      [{ code: 1006, reason: '', status: 403 }, 'forbidden'],
      [{ code: 1008, reason: 'credentials expired' }, 'policy'],
      [{ code: 4001, reason: 'kicked' }, 'kicked'],
      [{ code: 1000, reason: '' }, 'server_closed'],
    ])('stops after %j (%s) and opens no other socket', async (close: { code: number; reason: string; status?: number }, code) => {
      const realtime = client();
      const connecting = realtime.connect();
      if (close.status) {
        (await scripted.socket(1)).end(close);
        await expect(connecting).rejects.toMatchObject({ code });
      } else {
        (await connected(realtime)).end(close);
      }
      jest.useFakeTimers();
      await jest.advanceTimersByTimeAsync(60_000);

      expect(realtime.state).toBe('disconnected');
      expect(scripted.sockets).toHaveLength(1);
    });

    it('reconnects after 1012 with a delay drawn from restartJitter', async () => {
      const realtime = client({ reconnect: { random: () => 0.5, restartJitter: 4_000, baseDelay: 100 } });
      const delays: number[] = [];
      realtime.on('retry', ({ delay }) => delays.push(delay));
      realtime.connect();
      const socket = await connected(realtime);
      jest.useFakeTimers();

      socket.end({ code: 1012, reason: 'service restart' });
      await jest.advanceTimersByTimeAsync(1_999);
      expect(scripted.sockets).toHaveLength(1);
      await jest.advanceTimersByTimeAsync(1);

      expect(delays).toEqual([2_000]);
      expect(scripted.sockets).toHaveLength(2);
    });

    it('waits longer after each failed attempt, and gives up after maxAttempts', async () => {
      jest.useFakeTimers();
      const realtime = client({ reconnect: { random: () => 0.999, baseDelay: 100, factor: 2, maxAttempts: 3 } });
      const retries: Array<[number, number]> = [];
      realtime.on('retry', ({ attempt, delay }) => retries.push([attempt, delay]));
      realtime.connect();
      (await connected(realtime, 1)).end({ code: 1006, reason: '' });
      for (let n = 2; n <= 4; n++) {
        await jest.advanceTimersByTimeAsync(1_000);
        (await scripted.socket(n)).end({ code: 1006, reason: '' });
      }

      expect(retries).toEqual([[1, 99], [2, 199], [3, 399]]);
      expect(realtime.state).toBe('disconnected');
    });

    it('reports why it gave up', async () => {
      const realtime = client({ reconnect: false });
      const changes: Array<{ state: string; code?: string }> = [];
      realtime.on('state', ({ state, error }) => changes.push({ state, code: error?.code }));
      const connecting = realtime.connect();
      (await scripted.socket(1)).end({ code: 1006, reason: '' });

      await expect(connecting).rejects.toMatchObject({ code: 'gave_up', message: 'Gave up after 0 failed connection attempts in a row; call connect() to try again.' });
      expect(changes).toEqual([{ state: 'connecting', code: undefined }, { state: 'disconnected', code: 'gave_up' }]);
    });

    it('retries when the token function fails, and stops when it returns no token', async () => {
      const tokens: Array<() => Promise<string | null>> = [
        () => Promise.reject(new Error('auth server down')),
        () => Promise.resolve(null),
      ];
      const realtime = client({ token: () => tokens.shift()!() });
      const errors: string[] = [];
      realtime.on('error', (error) => errors.push(error.code));
      jest.useFakeTimers();

      const connecting = realtime.connect().catch((error: RealtimeError) => error);
      await jest.advanceTimersByTimeAsync(0);

      expect(await connecting).toMatchObject({ code: 'unauthorized', message: expect.stringContaining('returned no token') });
      expect(errors).toEqual(['token_failed']);
      expect(scripted.sockets).toHaveLength(0);
    });

    it('retries when the runtime refuses to open a socket', async () => {
      let refusals = 1;
      const realtime = client({
        transport: (url, protocols, handlers) => {
          if (refusals-- > 0) throw new Error('blocked by policy');
          return scripted.transport(url, protocols, handlers);
        },
      });
      const errors: string[] = [];
      realtime.on('error', (error) => errors.push(error.message));
      realtime.connect();
      await connected(realtime);

      expect(realtime.state).toBe('connected');
      expect(errors).toEqual(['The WebSocket could not be opened (blocked by policy); retrying with backoff.']);
    });

    it('drops a silent connection after the heartbeat timeout and reconnects', async () => {
      jest.useFakeTimers();
      scripted = new ScriptedTransport(false);
      const realtime = client();
      realtime.connect();
      const socket = await scripted.socket(1);
      socket.welcome({ interval: 1_000, timeout: 3_000 });

      await jest.advanceTimersByTimeAsync(2_000);
      expect(socket.events()).toEqual(['connection:ping', 'connection:ping']);
      await jest.advanceTimersByTimeAsync(1_500);

      expect(socket.aborted).toBe(true);
      expect(realtime.state).toBe('reconnecting');
      // A zero delay still waits for the next turn of the timers, as setTimeout(0) does.
      await jest.advanceTimersByTimeAsync(1);
      expect(scripted.sockets).toHaveLength(2);
    });

    it('keeps a connection that answers its pings', async () => {
      jest.useFakeTimers();
      scripted = new ScriptedTransport(false);
      const realtime = client();
      realtime.connect();
      const socket = await scripted.socket(1);
      socket.welcome({ interval: 1_000, timeout: 3_000 });

      for (let i = 0; i < 10; i++) {
        await jest.advanceTimersByTimeAsync(1_000);
        socket.push({ event: 'connection:pong', data: { t: 0 } });
      }

      expect(socket.aborted).toBe(false);
      expect(realtime.state).toBe('connected');
    });
  });

  describe('channels across reconnects', () => {
    it('rejoins with the last meta, then flushes the queued frames once, in order', async () => {
      const realtime = client();
      realtime.connect();
      const first = await connected(realtime);
      const room = realtime.channel<string, { status: string }>('room:a');
      const joined = room.join({ status: 'online' });
      first.replyAll('channel:join', () => ({ channel: 'room:a' }));
      await joined;
      const updated = room.updatePresence({ status: 'away' });
      first.replyAll('presence:update', (frame) => ({ channel: 'room:a', meta: (frame.data as { meta: unknown }).meta }));
      await updated;

      first.end({ code: 1006, reason: '' });
      expect(room.state).toBe('joining');
      const published = ['1', '2', '3'].map((text) => room.publish(text));
      const second = await connected(realtime);

      expect(second.events()).toEqual(['channel:join', 'channel:publish', 'channel:publish', 'channel:publish']);
      expect(joinsOf(second)).toEqual([{ channel: 'room:a', meta: { status: 'away' }, stateInReply: false, presenceFormat: 'compact' }]);
      expect(payloadsOf(second)).toEqual(['1', '2', '3']);
      second.replyAll('channel:join');
      second.replyAll('channel:publish');
      await Promise.all(published);
      expect(room.state).toBe('joined');
      expect(payloadsOf(first)).toEqual([]);
    });

    it('sends a join made while disconnected once, when the connection comes', async () => {
      const realtime = client();
      const room = realtime.channel('room:a');
      const joined = room.join({ name: 'Ann' });
      realtime.connect();
      const socket = await connected(realtime);
      socket.replyAll('channel:join', () => ({ channel: 'room:a' }));

      await expect(joined).resolves.toEqual({ channel: 'room:a' });
      expect(joinsOf(socket)).toEqual([{ channel: 'room:a', meta: { name: 'Ann' }, stateInReply: false, presenceFormat: 'compact' }]);
    });

    it('keeps a join pending across a lost connection instead of failing it', async () => {
      const realtime = client();
      realtime.connect();
      const first = await connected(realtime);
      const joined = realtime.channel('room:a').join();
      first.end({ code: 1006, reason: '' });
      const second = await connected(realtime);
      second.replyAll('channel:join', () => ({ channel: 'room:a' }));

      await expect(joined).resolves.toEqual({ channel: 'room:a' });
    });

    it('does not rejoin a channel left while disconnected', async () => {
      const realtime = client();
      realtime.connect();
      const first = await connected(realtime);
      const room = await joinedOn(first, realtime.channel('room:a'));
      first.end({ code: 1006, reason: '' });

      await room.leave();
      const second = await connected(realtime);

      expect(room.state).toBe('left');
      expect(second.events()).toEqual([]);
    });

    it('fails a request in flight when the connection is lost, and keeps the queued ones', async () => {
      const realtime = client();
      realtime.connect();
      const first = await connected(realtime);
      const inFlight = realtime.request('chat:shout', { text: 'a' });
      first.end({ code: 1006, reason: '' });
      const queued = realtime.request('chat:shout', { text: 'b' });

      await expect(inFlight).rejects.toMatchObject({ code: 'disconnected' });
      const second = await connected(realtime);
      second.replyAll('chat:shout', () => 'ok');
      await expect(queued).resolves.toBe('ok');
      expect(second.sent.map((frame) => frame.data)).toEqual([{ text: 'b' }]);
    });

    it('leaves a channel whose rejoin the server refuses, and says so', async () => {
      const realtime = client();
      const errors: string[] = [];
      realtime.on('error', (error) => errors.push(error.code));
      realtime.connect();
      const first = await connected(realtime);
      const room = await joinedOn(first, realtime.channel('room:a'));
      first.end({ code: 1006, reason: '' });
      const second = await connected(realtime);

      second.fail(second.sent[0], 'limit', '"room:a" is full');
      await Promise.resolve();

      expect(room.state).toBe('left');
      expect(errors).toEqual(['limit']);
    });

    it('syncs presence from the state after a rejoin, ignoring diffs of the lost connection', async () => {
      const realtime = client();
      realtime.connect();
      const first = await connected(realtime);
      const room = await joinedOn(first, realtime.channel('room:a'));
      first.push({ event: 'presence:state', data: { channel: 'room:a', presences: { bob: { metas: [{ connectionId: 'b1', onlineAt: 1 }] } } } });
      first.end({ code: 1001, reason: '' });

      const second = await connected(realtime);
      second.push({ event: 'presence:diff', data: { channel: 'room:a', joins: { ghost: { metas: [{ connectionId: 'g', onlineAt: 1 }] } }, leaves: {}, updates: {} } });
      second.push({ event: 'presence:state', data: { channel: 'room:a', presences: { bob: { metas: [{ connectionId: 'b2', onlineAt: 2 }] } } } });

      expect(room.presence.list()).toEqual([{ clientId: 'bob', metas: [{ connectionId: 'b2', onlineAt: 2 }] }]);
    });
  });

  describe('resume', () => {
    const GRANT = { token: 'tok', ttl: 60_000 };

    /** A client joined to news:a (which keeps history, at offset 7) and room:b (which does not), whose connection then drops. */
    async function droppedWithTwoChannels() {
      const realtime = client();
      realtime.connect();
      const first = await scripted.socket(1);
      first.welcome(undefined, 'alice', GRANT);
      const news = realtime.channel('news:a');
      const room = realtime.channel('room:b');
      const joins = [news.join(), room.join()];
      first.replyAll('channel:join', (frame) => ((frame.data as { channel: string }).channel === 'news:a' ? { channel: 'news:a', offset: 5, epoch: 'e1' } : { channel: 'room:b' }));
      await Promise.all(joins);
      first.push({ event: 'channel:message', data: { channel: 'news:a', from: null, payload: 'x', at: 1, offset: 7, epoch: 'e1' } });
      first.end({ code: 1006, reason: '' });
      const second = await scripted.socket(2);
      second.welcome(undefined, 'alice', { token: 'next', ttl: 60_000 });
      return { realtime, news, room, second };
    }

    it('asks first for connection:resume with the token and each channel position, and rejoins nothing the server brought back', async () => {
      const { news, room, second } = await droppedWithTwoChannels();
      const resumed = new Promise((resolve) => news.on('joined', resolve));

      expect(second.sent).toEqual([{ event: 'connection:resume', data: { token: 'tok', channels: { 'news:a': { offset: 7, epoch: 'e1' }, 'room:b': null } }, ref: expect.any(String) }]);
      second.replyAll('connection:resume', () => ({ resumed: true, missed: 0, channels: { 'news:a': { missed: 0, offset: 7, epoch: 'e1' }, 'room:b': { missed: 0 } } }));

      expect(await resumed).toEqual({ channel: 'news:a', rejoined: true, resumed: true });
      expect(second.events()).toEqual(['connection:resume']);
      expect([news.state, room.state]).toEqual(['joined', 'joined']);
    });

    it('joins every channel afresh when the server does not resume the session', async () => {
      const { news, second } = await droppedWithTwoChannels();
      second.replyAll('connection:resume', () => ({ resumed: false, reason: 'expired' }));
      await new Promise((resolve) => setImmediate(resolve));

      expect(second.events()).toEqual(['connection:resume', 'channel:join', 'channel:join']);
      second.replyAll('channel:join', () => ({ channel: 'news:a', offset: 9, epoch: 'e2' }));
      await new Promise((resolve) => setImmediate(resolve));
      expect(news.position).toEqual({ offset: 9, epoch: 'e2' });
    });

    it('does not ask once the window has passed, and not without a grant', async () => {
      jest.useFakeTimers({ now: 1_000_000 });
      const realtime = client();
      realtime.connect();
      const first = await scripted.socket(1);
      first.welcome(undefined, 'alice', GRANT);
      const room = await joinedOn(first, realtime.channel('room:b'));
      first.end({ code: 1006, reason: '' });
      jest.setSystemTime(1_000_000 + GRANT.ttl);
      await jest.advanceTimersByTimeAsync(1);
      const second = await scripted.socket(2);
      second.welcome();
      second.end({ code: 1006, reason: '' });
      await jest.advanceTimersByTimeAsync(1);
      const third = await scripted.socket(3);
      third.welcome();

      expect(second.events()).toEqual(['channel:join']);
      expect(third.events()).toEqual(['channel:join']);
    });
  });

  describe('kicked from a channel', () => {
    const kick = (socket: ScriptedSocket, channel: string) => socket.push({ event: 'channel:kicked', data: { channel, reason: 'spamming' } });

    it('asks a resume for its other channels only', async () => {
      const realtime = client();
      realtime.connect();
      const first = await scripted.socket(1);
      first.welcome(undefined, 'alice', { token: 'tok', ttl: 60_000 });
      const room = await joinedOn(first, realtime.channel('room:a'));
      await joinedOn(first, realtime.channel('room:b'));

      kick(first, 'room:a');
      first.end({ code: 1006, reason: '' });
      const second = await connected(realtime);

      expect(second.sent).toEqual([{ event: 'connection:resume', data: { token: 'tok', channels: { 'room:b': null } }, ref: expect.any(String) }]);
      expect(room.state).toBe('left');
    });

    it('stays joining while a join asked for meanwhile is on its way, and lets its reply decide', async () => {
      const realtime = client();
      realtime.connect();
      const socket = await connected(realtime);
      const room = await joinedOn(socket, realtime.channel<string, { status: string }>('room:a'));
      const kicks: unknown[] = [];
      room.on('kicked', (kicked) => kicks.push(kicked));
      const again = room.join({ status: 'away' });

      kick(socket, 'room:a');
      expect(room.state).toBe('joining');
      socket.replyAll('channel:join', () => ({ channel: 'room:a' }));

      await expect(again).resolves.toEqual({ channel: 'room:a' });
      expect(room.state).toBe('joined');
      expect(kicks).toEqual([{ channel: 'room:a', reason: 'spamming' }]);
    });

    it('joins again when the application asks', async () => {
      const realtime = client();
      realtime.connect();
      const socket = await connected(realtime);
      const room = await joinedOn(socket, realtime.channel('room:a'));
      kick(socket, 'room:a');

      const again = room.join();
      socket.replyAll('channel:join', () => ({ channel: 'room:a' }));

      await expect(again).resolves.toEqual({ channel: 'room:a' });
      expect(room.state).toBe('joined');
      expect(joinsOf(socket)).toHaveLength(2);
    });

    it('reports a kick from a channel server code joined it to, which it has no object for', async () => {
      const realtime = client();
      realtime.connect();
      const socket = await connected(realtime);
      const kicks: unknown[] = [];
      realtime.on('channelKicked', (kicked) => kicks.push(kicked));

      kick(socket, 'room:server-joined');

      expect(kicks).toEqual([{ channel: 'room:server-joined', reason: 'spamming' }]);
    });
  });

  describe('reauth', () => {
    function reauthsOf(socket: ScriptedSocket): unknown[] {
      return socket.sent.filter((frame) => frame.event === 'connection:reauth').map((frame) => frame.data);
    }

    it('sends connection:reauth on the connection that is up and resolves with the new expiry', async () => {
      const realtime = client({ token: 't1' });
      realtime.connect();
      const socket = await connected(realtime);

      const renewed = realtime.reauth('t2');
      socket.replyAll('connection:reauth', () => ({ expiresAt: 1_900_000_000_000 }));

      await expect(renewed).resolves.toEqual({ expiresAt: 1_900_000_000_000 });
      expect(reauthsOf(socket)).toEqual([{ token: 't2' }]);
    });

    /** The tokens of the connection before and after an accepted reauth with `renewal` and a dropped connection. */
    async function tokensAroundReauth(token: string | (() => string), renewal: string): Promise<Array<string | null>> {
      const realtime = client({ token });
      realtime.connect();
      const first = await connected(realtime);
      const renewed = realtime.reauth(renewal);
      first.replyAll('connection:reauth', () => ({ expiresAt: null }));
      await renewed;
      first.end({ code: 1006, reason: '' });
      const second = await connected(realtime);
      return [first.token, second.token];
    }

    it('sends the accepted token on later attempts, in place of the token string', async () => {
      expect(await tokensAroundReauth('t1', 't2')).toEqual(['t1', 't2']);
    });

    it('rejects with the server code of a refused token, and keeps the old token', async () => {
      const realtime = client({ token: 't1' });
      realtime.connect();
      const first = await connected(realtime);
      const renewed = realtime.reauth('mallory');
      first.fail(first.sent[0], 'forbidden', 'That token is of another client.');

      await expect(renewed).rejects.toEqual(new RealtimeError('forbidden', 'That token is of another client.'));
      first.end({ code: 1006, reason: '' });
      expect((await connected(realtime)).token).toBe('t1');
    });

    it('still asks a token function before each attempt', async () => {
      let issued = 0;
      expect(await tokensAroundReauth(() => `fresh${++issued}`, 'by-hand')).toEqual(['fresh1', 'fresh2']);
    });

    it('rejects with disconnected and sends nothing, then or later, when no connection is up', async () => {
      const realtime = client({ token: 't1' });
      await expect(realtime.reauth('t2')).rejects.toMatchObject({ code: 'disconnected', message: expect.stringContaining('the next connection authenticates') });
      realtime.connect();
      const first = await connected(realtime);
      first.end({ code: 1006, reason: '' });
      await expect(realtime.reauth('t2')).rejects.toMatchObject({ code: 'disconnected' });

      const second = await connected(realtime);

      expect([reauthsOf(first), reauthsOf(second), second.token]).toEqual([[], [], 't1']);
    });

    it('refuses a token that is not a non-empty string', async () => {
      const realtime = client();
      realtime.connect();
      const socket = await connected(realtime);

      await expect(realtime.reauth('')).rejects.toMatchObject({ code: 'invalid' });
      expect(socket.sent).toEqual([]);
    });
  });

  describe('presence list', () => {
    it("asks the server for the channel's presence, and leaves the copy as it is", async () => {
      const realtime = client();
      realtime.connect();
      const socket = await connected(realtime);
      const room = await joinedOn(socket, realtime.channel('room:a'));
      socket.push({ event: 'presence:state', data: { channel: 'room:a', presences: { bob: { metas: [{ connectionId: 'b1', onlineAt: 1 }] } } } });
      const state = { bob: { metas: [{ connectionId: 'b1', onlineAt: 1 }] }, carol: { metas: [{ connectionId: 'c1', onlineAt: 2 }] } };

      const listed = room.listPresence();
      socket.replyAll('presence:list', () => state);

      await expect(listed).resolves.toEqual(state);
      expect(socket.sent.filter((frame) => frame.event === 'presence:list').map((frame) => frame.data)).toEqual([{ channel: 'room:a' }]);
      expect(room.presence.list().map((member) => member.clientId)).toEqual(['bob']);
    });

    it('refuses a channel it has not joined', async () => {
      const realtime = client();
      await expect(realtime.channel('room:a').listPresence()).rejects.toMatchObject({ code: 'not_joined' });
    });
  });

  describe('sending', () => {
    it('refuses a frame past the queue bound with a clear error, and queues nothing of it', async () => {
      const realtime = client({ maxQueuedFrames: 2 });
      realtime.send('chat:note', 1);
      realtime.send('chat:note', 2);

      expect(() => realtime.send('chat:note', 3)).toThrow(expect.objectContaining({ code: 'queue_full' }));
      await expect(realtime.request('chat:shout', {})).rejects.toMatchObject({ code: 'queue_full' });
      realtime.connect();
      const socket = await connected(realtime);
      expect(socket.sent.map((frame) => frame.data)).toEqual([1, 2]);
    });

    it('refuses data that is not JSON and bad event names, sending nothing', async () => {
      const realtime = client();
      realtime.connect();
      const socket = await connected(realtime);
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;

      await expect(realtime.request('chat:shout', cyclic)).rejects.toMatchObject({ code: 'invalid', message: expect.stringContaining('cannot be sent as JSON') });
      expect(() => realtime.send('', 1)).toThrow('An event name must be a string of 1 to 128 characters; got "".');
      await expect(realtime.request('x'.repeat(129), 1)).rejects.toMatchObject({ code: 'invalid' });
      await expect(realtime.channel('room:a').join([] as never)).rejects.toMatchObject({ code: 'invalid' });
      expect(socket.sent).toEqual([]);
    });

    it('refuses to publish to a channel it has not joined', async () => {
      const realtime = client();
      await expect(realtime.channel('room:a').publish('hi')).rejects.toMatchObject({
        code: 'not_joined',
        message: 'Join "room:a" before publishing to it or using its presence or shared state.',
      });
    });

    it('fails what is queued with closed on close(), and refuses more', async () => {
      const realtime = client();
      const queued = realtime.request('chat:shout', {});
      const join = realtime.channel('room:a').join();

      realtime.close();

      await expect(queued).rejects.toMatchObject({ code: 'closed' });
      await expect(join).rejects.toMatchObject({ code: 'closed' });
      await expect(realtime.connect()).rejects.toMatchObject({ code: 'closed' });
      expect(() => realtime.send('chat:note', 1)).toThrow(expect.objectContaining({ code: 'closed' }));
      expect(realtime.state).toBe('closed');
    });

    it('fails requests in flight with closed on close(), and closes the socket with 1000', async () => {
      const realtime = client();
      realtime.connect();
      const socket = await connected(realtime);
      const inFlight = realtime.request('chat:shout', {});
      const join = realtime.channel('room:a').join();

      realtime.close();

      expect(socket.closedWith).toEqual({ code: 1000, reason: 'client closed' });
      await expect(inFlight).rejects.toMatchObject({ code: 'closed' });
      await expect(join).rejects.toMatchObject({ code: 'closed' });
      expect(realtime.channel('room:a').state).toBe('left');
    });
  });

  describe('receiving', () => {
    it('routes replies, channel messages, direct messages, application events and error frames', async () => {
      const realtime = client();
      realtime.connect();
      const socket = await connected(realtime);
      const room = realtime.channel<{ text: string }>('room:a');
      const joining = room.join();
      socket.replyAll('channel:join');
      await joining;
      const seen: unknown[] = [];
      room.onMessage((message) => seen.push(['message', message.payload.text]));
      realtime.on('direct', (message) => seen.push(['direct', message.payload]));
      realtime.onEvent('system:notice', (data) => seen.push(['notice', data]));
      realtime.on('error', (error) => seen.push(['error', error.code]));

      socket.push({ event: 'channel:message', data: { channel: 'room:a', from: 'bob', payload: { text: 'hi' }, at: 1 } });
      socket.push({ event: 'channel:message', data: { channel: 'room:elsewhere', from: 'bob', payload: { text: 'no' }, at: 1 } });
      socket.push({ event: 'direct:message', data: { from: 'bob', payload: 'psst', at: 1 } });
      socket.push({ event: 'system:notice', data: { text: 'maintenance' } });
      socket.push({ event: 'error', data: { code: 'unknown_event', message: 'No handler for "x".' } });
      socket.push('not json');

      expect(seen).toEqual([
        ['message', 'hi'],
        ['direct', 'psst'],
        ['notice', { text: 'maintenance' }],
        ['error', 'unknown_event'],
        ['error', 'protocol'],
      ]);
    });

    it('survives a listener that throws and reports it', async () => {
      const realtime = client();
      const errors: RealtimeError[] = [];
      realtime.on('error', (error) => errors.push(error));
      realtime.on('state', () => {
        throw new Error('listener bug');
      });
      realtime.connect();
      await connected(realtime);

      expect(realtime.state).toBe('connected');
      expect(errors.map((error) => error.code)).toEqual(['listener_failed', 'listener_failed']);
      expect((errors[0].details as Error).message).toBe('listener bug');
    });
  });

  describe('options', () => {
    it.each([
      [{ url: 'http://x/realtime' }, 'RealtimeClient: option "url" must be a ws:// or wss:// URL; got "http://x/realtime".'],
      [{ url: 'not a url' }, 'option "url" must be a ws:// or wss:// URL'],
      [{ url: ENDPOINT, token: 42 }, 'option "token" must be a string or a function; got 42.'],
      [{ url: ENDPOINT, reconnect: { baseDelay: 0 } }, 'option "reconnect.baseDelay" must be a positive number of ms; got 0.'],
      [{ url: ENDPOINT, reconnect: { factor: 0.5 } }, 'option "reconnect.factor" must be a number ≥ 1; got 0.5.'],
      [{ url: ENDPOINT, reconnect: { baseDelay: 1000, maxDelay: 10 } }, 'option "reconnect.maxDelay" must be a number of ms ≥ reconnect.baseDelay (1000); got 10.'],
      [{ url: ENDPOINT, reconnect: { maxAttempts: 1.5 } }, 'option "reconnect.maxAttempts" must be a whole number ≥ 0, or Infinity; got 1.5.'],
      [{ url: ENDPOINT, requestTimeout: -1 }, 'option "requestTimeout" must be a positive number of ms; got -1.'],
      [{ url: ENDPOINT, maxQueuedFrames: 'lots' }, 'option "maxQueuedFrames" must be a whole number ≥ 0; got "lots".'],
      [{ url: ENDPOINT, params: { n: 1 } }, 'option "params" must be an object of strings'],
      [{ url: ENDPOINT, encoding: 'cbor' }, `option "encoding" must be 'json' or 'msgpack'; got "cbor".`],
    ])('refuses %j', (options, message) => {
      expect(() => new RealtimeClient({ transport: scripted.transport, ...(options as RealtimeClientOptions) })).toThrow(message);
    });

    it('asks for a transport where there is no global WebSocket', () => {
      expect(() => new RealtimeClient({ url: ENDPOINT })).toThrow('In Node pass `transport: wsTransport()` from "@nest-realtime/client/node".');
    });
  });

  describe('types', () => {
    interface Schema {
      requests: { 'chat:shout': { data: { room: string; text: string }; result: { delivered: number } } };
      events: { 'system:notice': { text: string } };
      direct: { text: string };
    }

    it('types requests, events and direct messages from a schema', async () => {
      const typed = new RealtimeClient<Schema>({ url: ENDPOINT, transport: scripted.transport });
      clients.push(typed);
      typed.connect();
      const socket = await connected(typed as RealtimeClient);
      const shout = typed.request('chat:shout', { room: 'a', text: 'hi' });
      socket.replyAll('chat:shout', () => ({ delivered: 2 }));
      const delivered: number = (await shout).delivered;
      typed.onEvent('system:notice', (data) => data.text.toUpperCase());

      // @ts-expect-error: not an event of the schema
      void typed.request('chat:whisper', {}).catch(() => undefined);
      // @ts-expect-error: wrong data
      void typed.request('chat:shout', { room: 1 }).catch(() => undefined);
      // @ts-expect-error: wrong direct payload
      void typed.direct('bob', 'text').catch(() => undefined);
      const room = typed.channel<{ text: string }, { status: 'online' | 'away' }>('room:a');
      // @ts-expect-error: wrong meta
      void room.join({ status: 'asleep' }).catch(() => undefined);
      room.presence.onJoin(({ meta }) => meta.status satisfies 'online' | 'away');

      expect(delivered).toBe(2);
    });
  });
});
