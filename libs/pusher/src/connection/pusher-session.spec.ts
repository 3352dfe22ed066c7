import { CloseCode, ProtocolEvent } from '@nest-realtime/protocol';
import type { TranslatedConnection } from '@nest-realtime/core/protocols';
import { resolvePusherOptions } from '../options/pusher-options.resolver';
import { NativeFrames } from './native-frames';
import { PusherSession, type Subscription } from './pusher-session';

const native = (event: string, data: unknown) => Buffer.from(JSON.stringify({ event, data }));
const message = (channel: string, payload: unknown, from: string | null = 'someone') =>
  native(ProtocolEvent.ChannelMessage, { channel, from, payload, at: 1 });
const meta = (connectionId: string, fields: Record<string, unknown> = {}) => ({ ...fields, connectionId, onlineAt: 1 });

/** A connection that keeps what it is written, as Pusher frames with `data` parsed. */
function connectionOf(session: PusherSession) {
  const written: Buffer[] = [];
  const connection = {
    translator: session,
    write: (frame: Buffer) => (written.push(frame), true),
  } as unknown as TranslatedConnection;
  const frames = () =>
    written.map((bytes) => {
      const frame = JSON.parse(bytes.toString());
      return typeof frame.data === 'string' ? { ...frame, data: JSON.parse(frame.data) } : frame;
    });
  return { connection, written, frames };
}

describe('PusherSession, translating native frames', () => {
  const [app] = resolvePusherOptions({ apps: [{ id: '1', key: 'k', secret: 's' }] }).apps;
  let decoder: NativeFrames;

  beforeEach(() => {
    decoder = new NativeFrames();
  });

  function session(socketId = '1.1', subscriptions: Record<string, Partial<Subscription>> = {}) {
    const created = new PusherSession(app, socketId, decoder);
    for (const [name, subscription] of Object.entries(subscriptions)) {
      created.subscriptions.set(name, { name, kind: 'public', subscribed: true, ...subscription });
    }
    return created;
  }

  it('turns a {event, data} payload into that Pusher event, data as a JSON string', () => {
    const { connection, written, frames } = connectionOf(session('1.1', { news: {} }));

    connection.translator.translate(message('news', { event: 'headline', data: { title: 'Hi' } }), connection);

    expect(JSON.parse(written[0].toString())).toEqual({ event: 'headline', channel: 'news', data: '{"title":"Hi"}' });
    expect(frames()).toEqual([{ event: 'headline', channel: 'news', data: { title: 'Hi' } }]);
  });

  it('sends a string data as it is, and any other payload as event "message"', () => {
    const { connection, written } = connectionOf(session('1.1', { news: {} }));

    connection.translator.translate(message('news', { event: 'raw', data: 'text' }), connection);
    connection.translator.translate(message('news', [1, 2]), connection);

    expect(written.map((bytes) => JSON.parse(bytes.toString()))).toEqual([
      { event: 'raw', channel: 'news', data: 'text' },
      { event: 'message', channel: 'news', data: '[1,2]' },
    ]);
  });

  it('does not echo a client event to its sender', () => {
    const { connection, written } = connectionOf(session('1.1', { 'private-a': { kind: 'private' } }));

    connection.translator.translate(message('private-a', { event: 'client-x', data: {} }, '1.1'), connection);

    expect(written).toEqual([]);
  });

  it('lets no native payload pass itself off as a protocol event', () => {
    const { connection, frames } = connectionOf(session('1.1', { news: {} }));

    connection.translator.translate(message('news', { event: 'pusher_internal:member_added', data: {} }), connection);

    expect(frames()[0].event).toBe('message');
  });

  it('drops what reaches a channel it is not subscribed to, and the native frames Pusher has no word for', () => {
    const { connection, written } = connectionOf(session());

    connection.translator.translate(message('news', { event: 'x', data: 1 }), connection);
    connection.translator.translate(native(ProtocolEvent.Welcome, { connectionId: 'c' }), connection);
    connection.translator.translate(native(ProtocolEvent.Heartbeat, { interval: 1 }), connection);
    connection.translator.translate(Buffer.from('not json'), connection);

    expect(written).toEqual([]);
  });

  it('decodes a broadcast frame once for all its members, and encodes it once', () => {
    const parse = jest.spyOn(JSON, 'parse');
    const members = Array.from({ length: 5 }, (_, n) => connectionOf(session(`${n}.1`, { news: {} })));
    const frame = message('news', { event: 'headline', data: { n: 1 } });
    parse.mockClear();

    for (const { connection } of members) connection.translator.translate(frame, connection);

    expect(parse).toHaveBeenCalledTimes(1);
    parse.mockRestore();
    const sent = members.map(({ written }) => written[0]);
    expect(new Set(sent).size).toBe(1);
  });

  describe('in a presence channel', () => {
    const presence = (joins: Record<string, unknown[]>, leaves: Record<string, unknown[]> = {}) =>
      native(ProtocolEvent.PresenceDiff, {
        channel: 'presence-room',
        joins: Object.fromEntries(Object.entries(joins).map(([id, metas]) => [id, { metas }])),
        leaves: Object.fromEntries(Object.entries(leaves).map(([id, metas]) => [id, { metas }])),
        updates: {},
      });
    const state = (presences: Record<string, unknown[]>) =>
      native(ProtocolEvent.PresenceState, {
        channel: 'presence-room',
        presences: Object.fromEntries(Object.entries(presences).map(([id, metas]) => [id, { metas }])),
      });

    function subscribing() {
      const pending = session('1.1', { 'presence-room': { kind: 'presence', subscribed: false, userId: 'alice' } });
      return connectionOf(pending);
    }

    it('answers its state with subscription_succeeded: ids, hash and count by user', () => {
      const { connection, frames } = subscribing();

      connection.translator.translate(
        state({
          '1.1': [meta('c1', { user_id: 'alice', user_info: { name: 'Alice' } })],
          '2.2': [meta('c2', { user_id: 'bob', user_info: { name: 'Bob' } })],
          '3.3': [meta('c3', { user_id: 'bob', user_info: { name: 'Bob' } })],
          nina: [meta('c4', { name: 'Nina' })],
        }),
        connection,
      );

      expect(frames()).toEqual([
        {
          event: 'pusher_internal:subscription_succeeded',
          channel: 'presence-room',
          data: { presence: { ids: ['alice', 'bob', 'nina'], hash: { alice: { name: 'Alice' }, bob: { name: 'Bob' }, nina: { name: 'Nina' } }, count: 3 } },
        },
      ]);
    });

    it('adds a user with its first connection and removes it with its last, once each', () => {
      const { connection, frames } = subscribing();
      const translate = (frame: Buffer) => connection.translator.translate(frame, connection);
      translate(state({ '1.1': [meta('c1', { user_id: 'alice' })] }));

      translate(presence({ '2.2': [meta('c2', { user_id: 'bob', user_info: { device: 'phone' } })] }));
      translate(presence({ '3.3': [meta('c3', { user_id: 'bob', user_info: { device: 'laptop' } })] }));
      translate(presence({}, { '2.2': [meta('c2', { user_id: 'bob' })] }));
      translate(presence({}, { '3.3': [meta('c3', { user_id: 'bob' })] }));

      expect(frames().slice(1)).toEqual([
        { event: 'pusher_internal:member_added', channel: 'presence-room', data: { user_id: 'bob', user_info: { device: 'phone' } } },
        { event: 'pusher_internal:member_removed', channel: 'presence-room', data: { user_id: 'bob' } },
      ]);
    });

    it('announces nothing for a connection that came and went within one diff', () => {
      const { connection, frames } = subscribing();
      connection.translator.translate(state({}), connection);

      connection.translator.translate(presence({ '2.2': [meta('c2', { user_id: 'bob' })] }, { '2.2': [meta('c2', { user_id: 'bob' })] }), connection);

      expect(frames()).toHaveLength(1);
    });

    it('ignores diffs before its state, which holds them', () => {
      const { connection, frames } = subscribing();

      connection.translator.translate(presence({ '2.2': [meta('c2', { user_id: 'bob' })] }), connection);

      expect(frames()).toEqual([]);
    });
  });

  it('turns native errors into pusher:error, rate limits as 4301', () => {
    const { connection, frames } = connectionOf(session());

    connection.translator.translate(native(ProtocolEvent.Error, { code: 'rate_limited', message: 'slow down' }), connection);
    connection.translator.translate(native(ProtocolEvent.Error, { code: 'invalid', message: 'bad' }), connection);

    expect(frames()).toEqual([
      { event: 'pusher:error', data: { code: 4301, message: 'slow down' } },
      { event: 'pusher:error', data: { code: 4300, message: 'bad' } },
    ]);
  });

  it.each<[string, number, number]>([
    ['a shutdown', CloseCode.GoingAway, 4200],
    ['a restart', CloseCode.ServiceRestart, 4200],
    ['a heartbeat timeout', CloseCode.HeartbeatTimeout, 4201],
    ['an idle timeout', CloseCode.IdleTimeout, 4202],
    ['a slow consumer', CloseCode.SlowConsumer, 4100],
    ['a disconnect by the application', CloseCode.DisconnectedByApplication, 4009],
    ['a policy violation', CloseCode.PolicyViolation, 4009],
    ['a normal close', CloseCode.Normal, 1000],
  ])('closes for %s with the Pusher code pusher-js acts on', (_case, core, pusher) => {
    expect(session().closeCode(core)).toBe(pusher);
  });
});
