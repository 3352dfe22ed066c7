import { isObservable } from 'rxjs';
import type { ChannelEvent } from '../../hooks/realtime-events';
import { PresenceService } from '../presence/presence.service';
import { createRealtimeTestBed, RealtimeTestBed, refusal } from '../../testing/internal/unit-fakes';
import { ChannelRules } from './channel.rules';
import { ChannelService } from './channel.service';

const T0 = Date.UTC(2025, 0, 1);

describe('ChannelService', () => {
  let bed: RealtimeTestBed;
  let channels: ChannelService;
  let channelEvents: ChannelEvent[];
  let messageEvents: ChannelEvent[];

  beforeEach(async () => {
    jest.useFakeTimers({ now: T0 });
    bed = await createRealtimeTestBed(
      {
        presence: { batchMs: 0 },
        channels: [
          { pattern: 'room:*', presence: true },
          { pattern: 'news:*', publish: 'server' },
          { pattern: 'small:*', limit: 2 },
          { pattern: 'team:*', presence: true, requiredMeta: ['name'] },
        ],
      },
      [ChannelRules, PresenceService, ChannelService],
    );
    channels = bed.moduleRef.get(ChannelService);
    channelEvents = [];
    messageEvents = [];
    channels.channel$.subscribe((event) => channelEvents.push(event));
    channels.message$.subscribe((event) => messageEvents.push(event));
  });

  afterEach(() => jest.useRealTimers());

  describe('join', () => {
    it('adds a member and announces the join', async () => {
      bed.connect('c1', 'alice');

      expect(await channels.join('c1', 'chat', { color: 'red' })).toEqual({ channel: 'chat' });
      expect(await channels.members('chat')).toEqual([{ connectionId: 'c1', clientId: 'alice', meta: { color: 'red' }, joinedAt: T0 }]);
      expect(await channels.isMember('chat', 'c1')).toBe(true);
      expect(await channels.channelsOf('c1')).toEqual(['chat']);
      expect(channelEvents).toEqual([{ type: 'join', channel: 'chat', connectionId: 'c1', clientId: 'alice', meta: { color: 'red' }, at: T0 }]);
    });

    it('tracks presence in a presence channel and answers the full state', async () => {
      bed.connect('c1', 'alice');
      await channels.join('c1', 'room:1', { name: 'Bob' });
      bed.connect('c2', 'bob');

      const result = await channels.join('c2', 'room:1', { name: 'Alice' });

      expect(result).toEqual({
        channel: 'room:1',
        presence: {
          alice: { metas: [{ name: 'Bob', connectionId: 'c1', onlineAt: T0 }] },
          bob: { metas: [{ name: 'Alice', connectionId: 'c2', onlineAt: T0 }] },
        },
      });
    });

    it('is idempotent: joining again updates the meta without a second membership or join event', async () => {
      const { socket: watcher } = bed.connect('w', 'watcher');
      await channels.join('w', 'room:1');
      bed.connect('c1', 'alice');
      await channels.join('c1', 'room:1', { status: 'here' });
      watcher.send.mockClear();
      jest.setSystemTime(T0 + 1000);

      const again = await channels.join('c1', 'room:1', { status: 'away' });

      expect(await channels.members('room:1')).toEqual([
        { connectionId: 'w', clientId: 'watcher', meta: {}, joinedAt: T0 },
        { connectionId: 'c1', clientId: 'alice', meta: { status: 'away' }, joinedAt: T0 },
      ]);
      expect(again.presence?.alice).toEqual({ metas: [{ status: 'away', connectionId: 'c1', onlineAt: T0 }] });
      expect(channelEvents.filter((event) => event.connectionId === 'c1').map((event) => event.type)).toEqual(['join']);
      expect(watcher.framesOf('presence:diff').map((frame) => frame.data)).toEqual([
        { channel: 'room:1', joins: {}, leaves: {}, updates: { alice: { metas: [{ status: 'away', connectionId: 'c1', onlineAt: T0 }] } } },
      ]);
    });

    it('refuses a new member past the limit with limit, and lets a member re-join', async () => {
      for (const id of ['c1', 'c2', 'c3']) bed.connect(id);
      await channels.join('c1', 'small:1');
      await channels.join('c2', 'small:1');

      const error = await refusal(() => channels.join('c3', 'small:1'));

      expect(error.code).toBe('limit');
      expect(error.message).toBe('"small:1" is full: it holds at most 2 members.');
      expect(await channels.isMember('small:1', 'c3')).toBe(false);
      expect(await channels.channelsOf('c3')).toEqual([]);
      await expect(channels.join('c2', 'small:1', { again: true })).resolves.toEqual({ channel: 'small:1' });
      await channels.leave('c1', 'small:1');
      await expect(channels.join('c3', 'small:1')).resolves.toEqual({ channel: 'small:1' });
    });

    it('holds the member limit when joins arrive at the same time', async () => {
      for (const id of ['c1', 'c2', 'c3', 'c4']) bed.connect(id);

      const outcomes = await Promise.allSettled(['c1', 'c2', 'c3', 'c4'].map((id) => channels.join(id, 'small:1')));

      expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'rejected']);
      expect(await bed.engine.memberships.count('small:1')).toBe(2);
    });

    it('refuses a bad meta with invalid and joins nothing', async () => {
      bed.connect('c1', 'alice');

      const error = await refusal(() => channels.join('c1', 'team:red', { role: 'lead' }));

      expect(error.code).toBe('invalid');
      expect(error.details).toEqual([{ field: 'meta.name', message: 'is required in this channel' }]);
      expect(await channels.members('team:red')).toEqual([]);
      expect(channelEvents).toEqual([]);
    });

    it('undoes a join when the connection closed while the engine was joining it', async () => {
      const { socket } = bed.connect('c1', 'alice');
      const join = bed.engine.memberships.join.bind(bed.engine.memberships);
      jest.spyOn(bed.engine.memberships, 'join').mockImplementationOnce(async (...args) => {
        socket.readyState = 3;
        return join(...args);
      });

      expect((await refusal(() => channels.join('c1', 'room:1', { name: 'Alice' }))).code).toBe('not_found');
      expect(await channels.members('room:1')).toEqual([]);
      expect(await bed.moduleRef.get(PresenceService).list('room:1')).toEqual({});
    });

    it('keeps the previous meta when a re-join brings a bad one', async () => {
      bed.connect('c1', 'alice');
      await channels.join('c1', 'room:1', { status: 'here' });

      expect((await refusal(() => channels.join('c1', 'room:1', { status: NaN }))).code).toBe('invalid');
      expect((await channels.members('room:1'))[0].meta).toEqual({ status: 'here' });
      expect(await bed.moduleRef.get(PresenceService).list('room:1')).toEqual({
        alice: { metas: [{ status: 'here', connectionId: 'c1', onlineAt: T0 }] },
      });
    });

    it.each<[string, unknown]>([
      ['empty', ''],
      ['with spaces', 'my room'],
      ['too long', 'x'.repeat(201)],
      ['not a string', 7],
    ])('refuses a channel name that is %s with invalid', async (_why, name) => {
      bed.connect('c1');

      const error = await refusal(() => channels.join('c1', name as string));

      expect(error.code).toBe('invalid');
      expect(error.details).toEqual([{ field: 'channel', message: 'must be 1 to 200 printable ASCII characters, no spaces' }]);
    });

    it('refuses a connection that is not open on this node with not_found', async () => {
      expect((await refusal(() => channels.join('ghost', 'chat'))).code).toBe('not_found');
    });
  });

  describe('leave', () => {
    it('removes the member, announces the leave, and sends the presence leave to those who stay', async () => {
      const { socket: watcher } = bed.connect('w', 'watcher');
      await channels.join('w', 'room:1');
      bed.connect('c1', 'alice');
      await channels.join('c1', 'room:1', { name: 'Alice' });
      watcher.send.mockClear();
      channelEvents.length = 0;

      expect(await channels.leave('c1', 'room:1')).toEqual({ channel: 'room:1' });

      expect(await channels.isMember('room:1', 'c1')).toBe(false);
      expect(await channels.channelsOf('c1')).toEqual([]);
      expect(channelEvents).toEqual([{ type: 'leave', channel: 'room:1', connectionId: 'c1', clientId: 'alice', meta: { name: 'Alice' }, at: T0 }]);
      expect(watcher.framesOf('presence:diff').map((frame) => frame.data)).toEqual([
        { channel: 'room:1', joins: {}, leaves: { alice: { metas: [{ name: 'Alice', connectionId: 'c1', onlineAt: T0 }], last: true } }, updates: {} },
      ]);
    });

    it('does not send the leaver its own presence leave', async () => {
      const { socket } = bed.connect('c1', 'alice');
      await channels.join('c1', 'room:1', { name: 'Alice' });
      socket.send.mockClear();

      await channels.leave('c1', 'room:1');

      expect(socket.framesOf('presence:diff')).toEqual([]);
    });

    it('refuses a connection that is not a member with not_joined', async () => {
      bed.connect('c1');

      const error = await refusal(() => channels.leave('c1', 'chat'));

      expect(error.code).toBe('not_joined');
      expect(channelEvents).toEqual([]);
    });

    it('leaves every channel with leaveAll when the connection closes', async () => {
      const { socket: watcher } = bed.connect('w', 'watcher');
      await channels.join('w', 'room:1');
      bed.connect('c1', 'alice');
      for (const channel of ['room:1', 'chat', 'small:1']) await channels.join('c1', channel);
      watcher.send.mockClear();
      channelEvents.length = 0;

      await channels.leaveAll('c1');

      expect(await channels.channelsOf('c1')).toEqual([]);
      expect(channelEvents.map((event) => [event.type, event.channel])).toEqual([
        ['leave', 'room:1'],
        ['leave', 'chat'],
        ['leave', 'small:1'],
      ]);
      expect(await bed.moduleRef.get(PresenceService).list('room:1')).toEqual({ watcher: { metas: [{ connectionId: 'w', onlineAt: T0 }] } });
      expect(watcher.framesOf('presence:diff').map((frame) => Object.keys(frame.data.leaves))).toEqual([['alice']]);
      await expect(channels.leaveAll('c1')).resolves.toBeUndefined();
    });
  });

  describe('publish', () => {
    it('encodes the frame once and writes that very Buffer to every member', async () => {
      const sockets = ['c1', 'c2', 'c3'].map((id) => bed.connect(id, `user-${id}`).socket);
      for (const id of ['c1', 'c2', 'c3']) await channels.join(id, 'chat');
      const from = bed.registry.get('c1')!;
      const stringify = jest.spyOn(JSON, 'stringify');

      const delivered = await channels.publishFrom(from, 'chat', { text: 'hi' });

      const frames = sockets.map((socket) => socket.send.mock.calls[0][0]);
      expect(delivered).toBe(3);
      expect(sockets.map((socket) => socket.send.mock.calls.length)).toEqual([1, 1, 1]);
      expect(frames[1]).toBe(frames[0]);
      expect(frames[2]).toBe(frames[0]);
      expect(stringify).toHaveBeenCalledTimes(1);
      stringify.mockRestore();
      expect(JSON.parse(frames[0].toString())).toEqual({
        event: 'channel:message',
        data: { channel: 'chat', from: 'user-c1', payload: { text: 'hi' }, at: T0 },
      });
      expect(messageEvents).toEqual([{ type: 'message', channel: 'chat', connectionId: 'c1', clientId: 'user-c1', payload: { text: 'hi' }, at: T0 }]);
    });

    it("hands a client's publishes to the engine in order without waiting for its answers; the deliveries follow them", async () => {
      bed.connect('c1', 'alice');
      await channels.join('c1', 'chat');
      const from = bed.registry.get('c1')!;
      const answers: Array<(delivered: number) => void> = [];
      const publish = jest.spyOn(bed.engine.broker, 'publish').mockImplementation(() => new Promise((resolve) => answers.push(resolve)));

      const first = await channels.handOverFrom(from, 'chat', 1);
      const second = await channels.handOverFrom(from, 'chat', 2);

      expect(publish.mock.calls.map(([, frame]) => JSON.parse(frame.toString()).data.payload)).toEqual([1, 2]);
      expect(messageEvents).toEqual([]);
      answers.forEach((answer) => answer(1));
      expect(await Promise.all([first.delivered, second.delivered])).toEqual([1, 1]);
      expect(messageEvents.map((event) => event.payload)).toEqual([1, 2]);
      publish.mockRestore();
    });

    it('publishes from server code with from null, even where clients may not publish', async () => {
      const { socket } = bed.connect('c1', 'alice');
      await channels.join('c1', 'news:today');

      expect(await channels.publish('news:today', 'breaking')).toBe(1);
      expect(socket.frames()).toEqual([{ event: 'channel:message', data: { channel: 'news:today', from: null, payload: 'breaking', at: T0 } }]);
      expect(messageEvents).toEqual([{ type: 'message', channel: 'news:today', connectionId: null, clientId: null, payload: 'breaking', at: T0 }]);
    });

    it('refuses a client publish where only the server publishes with forbidden', async () => {
      const { connection, socket } = bed.connect('c1', 'alice');
      await channels.join('c1', 'news:today');

      const error = await refusal(() => channels.publishFrom(connection, 'news:today', 'fake news'));

      expect(error.code).toBe('forbidden');
      expect(error.message).toBe('Only the server publishes to "news:today".');
      expect(socket.send).not.toHaveBeenCalled();
      expect(messageEvents).toEqual([]);
    });

    it('refuses a publish by a connection that has not joined with not_joined', async () => {
      const { socket: member } = bed.connect('c1', 'alice');
      await channels.join('c1', 'chat');
      const { connection: outsider } = bed.connect('c2', 'bob');

      const error = await refusal(() => channels.publishFrom(outsider, 'chat', 'hello?'));

      expect(error.code).toBe('not_joined');
      expect(error.message).toBe('Join "chat" before publishing to it.');
      expect(member.send).not.toHaveBeenCalled();
      expect(messageEvents).toEqual([]);
    });

    it('delivers to nobody in a channel without members', async () => {
      expect(await channels.publish('empty', { x: 1 })).toBe(0);
    });

    it('does not count members whose socket is closing', async () => {
      bed.connect('c1');
      const { socket } = bed.connect('c2');
      await channels.join('c1', 'chat');
      await channels.join('c2', 'chat');
      socket.readyState = 2;

      expect(await channels.publish('chat', 1)).toBe(1);
    });
  });

  it('tells the options of a channel', () => {
    expect(channels.optionsOf('small:9')).toEqual({ presence: false, publish: 'members', limit: 2, requiredMeta: [], private: false });
  });

  it('streams joins, leaves and messages as Observables that cannot be pushed into, completed at shutdown', () => {
    let completed = 0;
    channels.channel$.subscribe({ complete: () => completed++ });
    channels.message$.subscribe({ complete: () => completed++ });

    expect(isObservable(channels.channel$)).toBe(true);
    expect((channels.channel$ as unknown as { next?: unknown }).next).toBeUndefined();
    expect((channels.message$ as unknown as { next?: unknown }).next).toBeUndefined();
    channels.onApplicationShutdown();
    expect(completed).toBe(2);
  });
});
