import type { HistoryRead, LocalConnection, StreamPosition } from '@nest-realtime/core/engine';
import { historyFrame, MemoryEngine, plainMessageFrame } from '@nest-realtime/core/engine';
import { BusRecovery, channelGapFrame, messagePosition } from './bus.recovery';

const HISTORY = { size: 10, ttl: 60_000 };

const message = (offset: number, epoch = 'e1') =>
  historyFrame(JSON.stringify({ channel: 'news', from: null, payload: `m${offset}`, at: 1 }), { offset, epoch });

class Sink implements LocalConnection {
  readonly frames: string[] = [];
  constructor(readonly id: string, readonly clientId = id) {}
  send(frame: Buffer): boolean {
    this.frames.push(frame.toString());
    return true;
  }
  payloads(): unknown[] {
    return this.frames.map((frame) => JSON.parse(frame)).map(({ event, data }) => (event === 'channel:message' ? data.payload : [event, data.reason]));
  }
}

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => (resolve = done));
  return { promise, resolve };
}

async function setUp(read: (since: StreamPosition) => Promise<HistoryRead>) {
  const local = new MemoryEngine();
  const sink = new Sink('reader');
  local.bind({ connectionsOf: () => [sink], get: (id) => (id === sink.id ? sink : undefined) });
  await local.memberships.join('news', sink, {});
  const recovery = new BusRecovery(local, { historySince: (_channel, since) => read(since) });
  return { local, sink, recovery };
}

describe('messagePosition', () => {
  it('reads the offset and epoch of a message kept in history', () => {
    expect(messagePosition(message(42, 'abc123'))).toEqual({ offset: 42, epoch: 'abc123' });
  });

  it('finds none in a message without history, or in another frame', () => {
    expect(messagePosition(plainMessageFrame(JSON.stringify({ channel: 'news', payload: ',"offset":1,"epoch":"x"}}' })))).toBeUndefined();
    expect(messagePosition(channelGapFrame('news', 'no_history'))).toBeUndefined();
  });
});

describe('BusRecovery', () => {
  it('sends what the channel missed from its history, then the frames held meanwhile, each offset once', async () => {
    const history = deferred<HistoryRead>();
    const { sink, recovery } = await setUp(() => history.promise);
    recovery.joined('news', { offset: 0, epoch: 'e1' }, HISTORY);
    recovery.deliver('news', message(1));

    const subscribed = deferred();
    const done = recovery.resubscribing(subscribed.promise);
    recovery.deliver('news', message(4));
    recovery.deliver('news', message(5));
    subscribed.resolve();
    history.resolve({ frames: [message(2), message(3), message(4)], position: { offset: 4, epoch: 'e1' } });
    await done;
    recovery.deliver('news', message(5));
    recovery.deliver('news', message(6));

    expect(sink.payloads()).toEqual(['m1', 'm2', 'm3', 'm4', 'm5', 'm6']);
  });

  it('tells the members when the history cannot give back what they missed', async () => {
    const { sink, recovery } = await setUp(async () => ({ lost: 'epoch' }));
    recovery.joined('news', { offset: 1, epoch: 'e1' }, HISTORY);

    await recovery.resubscribing(Promise.resolve());
    recovery.deliver('news', message(1, 'e2'));

    expect(sink.payloads()).toEqual([['channel:gap', 'epoch'], 'm1']);
  });

  it('tells the members of a channel without history', async () => {
    const { sink, recovery } = await setUp(async () => ({ lost: 'window' }));

    await recovery.resubscribing(Promise.resolve());

    expect(sink.payloads()).toEqual([['channel:gap', 'no_history']]);
  });

  it('catches up at the next resubscription when the subscription fails, holding live frames until then', async () => {
    const history = deferred<HistoryRead>();
    const { sink, recovery } = await setUp(() => history.promise);
    recovery.joined('news', { offset: 0, epoch: 'e1' }, HISTORY);

    const failed = recovery.resubscribing(Promise.reject(new Error('the connection closed')));
    const next = recovery.resubscribing(Promise.resolve());
    await failed;
    recovery.deliver('news', message(3));
    expect(sink.payloads()).toEqual([]);
    history.resolve({ frames: [message(1), message(2), message(3)], position: { offset: 3, epoch: 'e1' } });
    await next;

    expect(sink.payloads()).toEqual(['m1', 'm2', 'm3']);
  });

  it('forgets the channels this node no longer has members in', async () => {
    const { local, sink, recovery } = await setUp(async () => ({ lost: 'window' }));
    recovery.joined('news', { offset: 1, epoch: 'e1' }, HISTORY);
    await local.memberships.leave('news', sink.id);
    recovery.sweep();
    await local.memberships.join('news', sink, {});

    await recovery.resubscribing(Promise.resolve());

    expect(sink.payloads()).toEqual([['channel:gap', 'no_history']]);
  });
});
