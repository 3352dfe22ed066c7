import { MessageBody, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import { ConnectionService } from '@nest-realtime/core';
import { RealtimeTestApp } from './support/realtime-app';
import { TestClient } from './support/test-client';

const MAX_FRAME_BYTES = 1024;

@WebSocketGateway()
class EchoGateway {
  @SubscribeMessage('echo')
  echo(@MessageBody() body: unknown): unknown {
    return body;
  }

  /** Reserved names belong to the protocol: this handler must never be reached. */
  @SubscribeMessage('system:shutdown')
  shutdown(): string {
    return 'reached a reserved event';
  }
}

describe('bad input', () => {
  let rt: RealtimeTestApp;
  let client: TestClient;

  beforeEach(async () => {
    rt = await RealtimeTestApp.start({ maxFrameBytes: MAX_FRAME_BYTES }, { providers: [EchoGateway] });
    client = await rt.connect();
  });

  afterEach(() => rt.close());

  /** The connection is still usable: a normal request round-trips. */
  async function expectUsable(target = client): Promise<void> {
    expect(await target.request('echo', { still: 'alive' })).toEqual({ ok: true, result: { still: 'alive' } });
    expect(target.isOpen).toBe(true);
  }

  describe('frames that are not well-formed frames', () => {
    it.each([
      ['text that is not JSON', '{"event": "echo", '],
      ['a JSON array', '[{"event":"echo"}]'],
      ['a JSON number', '42'],
      ['a JSON string', '"echo"'],
      ['JSON null', 'null'],
      ['an object without event', '{"data":{"text":"hi"},"ref":"1"}'],
      ['an event that is a number', '{"event":7,"ref":"1"}'],
      ['an event that is an empty string', '{"event":"","ref":"1"}'],
      ['an event longer than 128 characters', JSON.stringify({ event: 'e'.repeat(129), ref: '1' })],
      ['a ref that is a number', '{"event":"echo","data":1,"ref":7}'],
      ['a ref that is an empty string', '{"event":"echo","data":1,"ref":""}'],
      ['a ref longer than 64 characters', JSON.stringify({ event: 'echo', data: 1, ref: 'r'.repeat(65) })],
    ])('answers %s with a bad_frame error frame and stays usable', async (_case, raw) => {
      const mark = client.mark();
      const error = client.nextEvent('error');

      client.send(raw);

      expect(await error).toEqual({ event: 'error', data: { code: 'bad_frame', message: expect.any(String) } });
      await expectUsable();
      expect(client.since(mark).filter((frame) => frame.event === 'error' || (frame.event === 'reply' && frame.ref !== 'r1'))).toHaveLength(1);
    });

    it('answers a binary frame with bad_frame and stays usable', async () => {
      const error = client.nextEvent('error');

      client.sendBinary(Buffer.from(JSON.stringify({ event: 'echo', data: 1, ref: 'bin' })));

      expect((await error).data).toEqual({ code: 'bad_frame', message: expect.stringContaining('Binary') });
      expect(client.frames.some((frame) => frame.ref === 'bin')).toBe(false);
      await expectUsable();
    });
  });

  describe('events nobody handles', () => {
    it('replies unknown_event to an unknown event with a ref', async () => {
      expect(await client.request('order:create', {})).toEqual({
        ok: false,
        error: { code: 'unknown_event', message: expect.stringContaining('order:create') },
      });
      await expectUsable();
    });

    it('sends an unknown_event error frame naming the event when there is no ref', async () => {
      const error = client.nextEvent('error');

      client.send({ event: 'order:create', data: {} });

      expect((await error).data).toEqual({ code: 'unknown_event', message: expect.any(String), event: 'order:create' });
      await expectUsable();
    });

    it.each(['channel:explode', 'presence:forge', 'connection:welcome', 'connection:pong', 'direct:message', 'system:shutdown'])(
      'answers "%s", a reserved name the protocol does not take from clients, with unknown_event',
      async (event) => {
        expect(await client.request(event, {})).toEqual({ ok: false, error: { code: 'unknown_event', message: expect.any(String) } });
        await expectUsable();
      },
    );
  });

  describe('protocol events with bad data', () => {
    it.each([
      ['a string', 'room:1'],
      ['an array', ['room:1']],
      ['null', null],
      ['a number', 5],
    ])('refuses data that is %s as invalid', async (_case, data) => {
      expect(await client.request('channel:join', data)).toEqual({
        ok: false,
        error: { code: 'invalid', message: expect.any(String), details: [{ field: 'data', message: expect.any(String) }] },
      });
      await expectUsable();
    });

    it('refuses a join without data as invalid on the channel field', async () => {
      expect(await client.request('channel:join')).toEqual({
        ok: false,
        error: { code: 'invalid', message: expect.any(String), details: [{ field: 'channel', message: expect.any(String) }] },
      });
      await expectUsable();
    });

    it.each([
      ['an empty name', ''],
      ['a name with a space', 'room 1'],
      ['a name with a non-ASCII character', 'café'],
      ['a name longer than 200 characters', 'c'.repeat(201)],
      ['a number', 42],
      ['an object', { name: 'room:1' }],
    ])('refuses a join with %s as channel', async (_case, channel) => {
      expect(await client.request('channel:join', { channel })).toEqual({
        ok: false,
        error: { code: 'invalid', message: expect.any(String), details: [{ field: 'channel', message: expect.any(String) }] },
      });
      await expectUsable();
    });

    it('accepts a channel name of exactly 200 printable characters', async () => {
      expect(await client.request('channel:join', { channel: 'c'.repeat(200) })).toEqual({ ok: true, result: { channel: 'c'.repeat(200) } });
    });

    it('refuses a publish without payload as invalid', async () => {
      await client.request('channel:join', { channel: 'chat:1' });

      expect(await client.request('channel:publish', { channel: 'chat:1' })).toEqual({
        ok: false,
        error: { code: 'invalid', message: expect.any(String), details: [{ field: 'payload', message: expect.any(String) }] },
      });
      await expectUsable();
    });

    it('sends an invalid error frame naming the event for a bad protocol frame without ref', async () => {
      const error = client.nextEvent('error');

      client.send({ event: 'channel:join', data: { channel: 'room 1' } });

      expect((await error).data).toEqual({
        code: 'invalid',
        message: expect.any(String),
        details: [{ field: 'channel', message: expect.any(String) }],
        event: 'channel:join',
      });
      await expectUsable();
    });
  });

  describe('frames larger than maxFrameBytes', () => {
    it('closes the sender with 1009 and leaves its neighbour untouched', async () => {
      const neighbour = await rt.connect();
      await neighbour.request('channel:join', { channel: 'chat:1' });
      await client.request('channel:join', { channel: 'chat:1' });
      const released = rt.released(client.connectionId);

      client.send({ event: 'echo', data: 'x'.repeat(MAX_FRAME_BYTES) });

      expect((await client.waitClosed()).code).toBe(1009);
      expect((await released).code).toBe(1009);
      await expectUsable(neighbour);
      expect(rt.get(ConnectionService).get(neighbour.connectionId)).toBeDefined();
      expect(rt.get(ConnectionService).get(client.connectionId)).toBeUndefined();
      const message = neighbour.nextEvent('channel:message');
      expect((await neighbour.request('channel:publish', { channel: 'chat:1', payload: 'ok' })).ok).toBe(true);
      expect((await message).data.payload).toBe('ok');
    });

    it('accepts a frame of exactly maxFrameBytes', async () => {
      const envelope = JSON.stringify({ event: 'echo', data: '', ref: 'r1' }).length;
      const data = 'x'.repeat(MAX_FRAME_BYTES - envelope);

      expect(await client.request('echo', data)).toEqual({ ok: true, result: data });
    });
  });

  it('answers each frame of a burst of bad frames, in order, and keeps answering', async () => {
    const bad = ['nope', '[]', '{}', '{"event":1}', '{"event":"order:create"}'];
    const mark = client.mark();

    bad.forEach((raw) => client.send(raw));
    await expectUsable();

    expect(client.since(mark).map((frame) => (frame.event === 'error' ? frame.data.code : frame.event))).toEqual([
      'bad_frame',
      'bad_frame',
      'bad_frame',
      'bad_frame',
      'unknown_event',
      'reply',
    ]);
  });
});
