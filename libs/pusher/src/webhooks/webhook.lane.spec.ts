import { createHmac } from 'crypto';
import type { PusherWebhookPayloadEvent } from './pusher-webhook.events';
import { LaneSettings, WebhookLane, WebhookPost } from './webhook.lane';

const settings: LaneSettings = { batchMs: 100, maxBatch: 3, maxPending: 5, retryDelaysMs: [1000, 5000], timeoutMs: 1000 };
const occupied = (channel: string): PusherWebhookPayloadEvent => ({ name: 'channel_occupied', channel });

interface Sent {
  headers: Record<string, string>;
  body: string;
}

function setup(statuses: Array<number | Error> = []) {
  const sent: Sent[] = [];
  const post: WebhookPost = async (_url, headers, body) => {
    sent.push({ headers, body });
    const outcome = statuses.shift() ?? 200;
    if (outcome instanceof Error) throw outcome;
    return outcome;
  };
  const reports: string[] = [];
  const lane = new WebhookLane(
    'http://receiver/hook',
    'app-key',
    'app-secret',
    { failed: (_url, events, reason) => reports.push(`failed ${events} ${reason}`), overflowed: (_url, dropped) => reports.push(`overflowed ${dropped}`) },
    settings,
    post,
  );
  const channels = (request: Sent) => (JSON.parse(request.body).events as Array<{ channel: string }>).map((event) => event.channel);
  return { sent, lane, reports, channels };
}

/** Lets the lane's promise chains run between timer steps. */
const flush = () => new Promise<void>((resolve) => jest.requireActual<typeof import('timers')>('timers').setImmediate(resolve));

describe('WebhookLane', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_700_000_000_000, doNotFake: ['setImmediate'] }));
  afterEach(() => jest.useRealTimers());

  it('sends the events of one window in one signed request {time_ms, events}', async () => {
    const { sent, lane } = setup();
    lane.push(occupied('a'));
    lane.push(occupied('b'));
    expect(sent).toHaveLength(0);
    await jest.advanceTimersByTimeAsync(100);
    expect(sent).toHaveLength(1);
    const { headers, body } = sent[0];
    expect(JSON.parse(body)).toEqual({ time_ms: 1_700_000_000_100, events: [occupied('a'), occupied('b')] });
    expect(headers['x-pusher-key']).toBe('app-key');
    expect(headers['x-pusher-signature']).toBe(createHmac('sha256', 'app-secret').update(body).digest('hex'));
    expect(headers['content-type']).toBe('application/json');
  });

  it('sends a full batch at once, and what follows in the next request', async () => {
    const { sent, lane, channels } = setup();
    ['a', 'b', 'c', 'd'].forEach((channel) => lane.push(occupied(channel)));
    await flush();
    expect(sent.map(channels)).toEqual([['a', 'b', 'c']]);
    await jest.advanceTimersByTimeAsync(100);
    expect(sent.map(channels)).toEqual([['a', 'b', 'c'], ['d']]);
  });

  it('retries a failed batch after each delay, then drops it and tells why', async () => {
    const { sent, lane, reports } = setup([500, new Error('ECONNREFUSED'), 503]);
    lane.push(occupied('a'));
    await jest.advanceTimersByTimeAsync(100);
    expect(sent).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1000);
    expect(sent).toHaveLength(2);
    await jest.advanceTimersByTimeAsync(5000);
    expect(sent).toHaveLength(3);
    expect(reports).toEqual(['failed 1 HTTP 503']);
    lane.push(occupied('b'));
    await jest.advanceTimersByTimeAsync(100);
    expect(sent).toHaveLength(4);
  });

  it('keeps the order: events queued while a batch is retried go after it', async () => {
    const { sent, lane, channels } = setup([500]);
    lane.push(occupied('a'));
    await jest.advanceTimersByTimeAsync(100);
    lane.push(occupied('b'));
    await jest.advanceTimersByTimeAsync(1000);
    await jest.advanceTimersByTimeAsync(100);
    expect(sent.map(channels)).toEqual([['a'], ['a'], ['b']]);
  });

  it('drops the oldest events past maxPending while the receiver is down', async () => {
    const { lane, reports } = setup([500, 500, 500]);
    lane.push(occupied('a'));
    await jest.advanceTimersByTimeAsync(100);
    ['b', 'c', 'd', 'e', 'f', 'g'].forEach((channel) => lane.push(occupied(channel)));
    expect(reports).toEqual(['overflowed 1']);
  });

  it('at close, gives what waits one more try without waiting for the retry delays', async () => {
    const { sent, lane, channels } = setup([500]);
    lane.push(occupied('a'));
    await jest.advanceTimersByTimeAsync(100);
    lane.push(occupied('b'));
    await lane.close();
    expect(sent.map(channels)).toEqual([['a'], ['a', 'b']]);
    lane.push(occupied('c'));
    await jest.advanceTimersByTimeAsync(10_000);
    expect(sent).toHaveLength(2);
  });
});
