import { INestApplication, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { ChannelService, RealtimeAdapter, RealtimeModule } from '@app/realtime';
import { TestClient } from './support/test-client';

describe('smoke', () => {
  let app: INestApplication;
  let url: string;

  beforeEach(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [RealtimeModule.forRoot({ channels: [{ pattern: 'room:*', presence: true }], presence: { batchMs: 5 } })],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    app.useWebSocketAdapter(new RealtimeAdapter(app));
    await app.listen(0, '127.0.0.1');
    url = `ws://127.0.0.1:${app.getHttpServer().address().port}/realtime`;
  });

  afterEach(() => app.close());

  it('welcomes, joins, publishes', async () => {
    const a = await TestClient.connect(url);
    const b = await TestClient.connect(url);
    expect(a.welcome.data.connectionId).toBeDefined();
    const ja = await a.request('channel:join', { channel: 'room:1', meta: { name: 'a' } });
    expect(ja.ok).toBe(true);
    void b.nextEvent('presence:diff');
    const jb = await b.request('channel:join', { channel: 'room:1', meta: { name: 'b' } });
    expect(Object.keys(jb.result.presence)).toHaveLength(2);
    const msg = a.nextEvent('channel:message');
    expect((await b.request('channel:publish', { channel: 'room:1', payload: { text: 'hi' } })).ok).toBe(true);
    expect((await msg).data.payload).toEqual({ text: 'hi' });
    void a.nextEvent('presence:diff', (d) => Object.keys(d.leaves).length > 0);
    await b.closeAndWait();
    a.send('nope');
    await app.get(ChannelService).publish('room:1', 'server');
  });
});
