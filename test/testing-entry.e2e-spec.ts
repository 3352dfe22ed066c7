// `@nest-realtime/core/testing` used exactly as an application's own test uses it (docs/testing.md).
import { Injectable, Module } from '@nestjs/common';
import { MessageBody, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import type { IncomingMessage } from 'http';
import {
  ChannelService,
  ConnectionService,
  CurrentConnection,
  PresenceService,
  RealtimeConnection,
  RealtimeException,
  RealtimeModule,
} from '@nest-realtime/core';
import { createRealtimeTestingApp, RealtimeReplyError, RealtimeTestingApp, UpgradeRefusedError } from '@nest-realtime/core/testing';

/** The application's own auth, simplified: the `user` query parameter is the clientId. */
function userFromQuery(request: IncomingMessage) {
  const user = new URL(request.url ?? '/', 'http://localhost').searchParams.get('user');
  return user ? { clientId: user } : null;
}

@Injectable()
class RoomRules {
  closed = new Set<string>();
}

@WebSocketGateway()
class ChatGateway {
  constructor(
    private readonly channels: ChannelService,
    private readonly rules: RoomRules,
  ) {}

  @SubscribeMessage('chat:shout')
  async shout(@MessageBody() body: { room: string; text: string }, @CurrentConnection() connection: RealtimeConnection) {
    if (this.rules.closed.has(body.room)) throw new RealtimeException('room_closed', `The room "${body.room}" is closed.`, { room: body.room });
    return { delivered: await this.channels.publish(`room:${body.room}`, body.text.toUpperCase(), connection) };
  }
}

describe('@nest-realtime/core/testing', () => {
  let testing: RealtimeTestingApp;

  beforeEach(async () => {
    testing = await createRealtimeTestingApp({
      realtime: { authenticate: userFromQuery, channels: [{ pattern: 'room:*', presence: true }] },
      providers: [ChatGateway, RoomRules],
    });
  });

  afterEach(() => testing.close());

  it('answers a gateway handler, whose publish reaches every member', async () => {
    const alice = await testing.client({ user: 'alice' });
    const bob = await testing.client({ user: 'bob' });
    await alice.request('channel:join', { channel: 'room:lobby' });
    await bob.request('channel:join', { channel: 'room:lobby' });

    await expect(alice.request('chat:shout', { room: 'lobby', text: 'hello' })).resolves.toEqual({ delivered: 2 });
    await expect(bob.waitFor('channel:message')).resolves.toEqual(expect.objectContaining({ channel: 'room:lobby', from: 'alice', payload: 'HELLO' }));
  });

  it('shows presence: the state on joining, then who joins and who leaves', async () => {
    const alice = await testing.client({ user: 'alice' });
    await alice.request('channel:join', { channel: 'room:lobby', meta: { name: 'Alice' } });
    const state = await alice.waitFor('presence:state');
    expect(Object.keys(state.presences)).toEqual(['alice']);

    const bob = await testing.client({ user: 'bob' });
    await bob.request('channel:join', { channel: 'room:lobby', meta: { name: 'Bob' } });
    const joined = await alice.waitFor('presence:diff', (diff) => 'bob' in diff.joins);
    expect(joined.joins.bob).toEqual(expect.objectContaining({ first: true, metas: [expect.objectContaining({ name: 'Bob' })] }));
    expect(Object.keys(await testing.get(PresenceService).list('room:lobby')).sort()).toEqual(['alice', 'bob']);

    await bob.close();
    const left = await alice.waitFor('presence:diff', (diff) => 'bob' in diff.leaves);
    expect(left.leaves.bob).toEqual(expect.objectContaining({ last: true }));
  });

  it("rejects a request with the error of the handler's reply: code, message and details", async () => {
    testing.get(RoomRules).closed.add('attic');
    const alice = await testing.client({ user: 'alice' });

    const error = await alice.request('chat:shout', { room: 'attic', text: 'anyone?' }).catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(RealtimeReplyError);
    expect(error).toMatchObject({ code: 'room_closed', message: 'chat:shout failed with room_closed: The room "attic" is closed.', details: { room: 'attic' } });
    await expect(alice.request('channel:publish', { channel: 'room:attic', payload: 'hi' })).rejects.toMatchObject({ code: 'not_joined' });
  });

  it('says which frames arrived when the awaited one does not come in time', async () => {
    const alice = await testing.client({ user: 'alice' });
    await alice.request('channel:join', { channel: 'room:lobby' });

    const waited = alice.waitFor('channel:message', (message) => message.payload === 'never sent', 100);

    await expect(waited).rejects.toThrow(/RealtimeTestClient "alice" \(connection [\w-]+\): a "channel:message" frame matching the predicate did not arrive within 100 ms\./);
    const message = await waited.catch((error: Error) => error.message);
    expect(message).toMatch(/\nFrames received \(\d+, oldest first; ✓ = taken by an earlier wait or request\):\n  ✓ connection:welcome \{"connectionId":/);
    expect(message).toContain('✓ reply (ref t1) {"ok":true,"result":{"channel":"room:lobby"');
    expect(message).toMatch(/· presence:state \{"channel":"room:lobby","presences":\{"alice":/);
  });

  it('fails a wait as soon as the server closes the connection, with the close code', async () => {
    const alice = await testing.client({ user: 'alice' });
    const waited = alice.waitFor('channel:message');

    testing.get(ConnectionService).disconnect(alice.connectionId, 'bye');

    await expect(waited).rejects.toThrow(/the connection closed \(4001 "bye"\) before a "channel:message" frame arrived/);
    await expect(alice.waitForClose()).resolves.toEqual({ code: 4001, reason: 'bye' });
  });

  it('takes each frame once: successive waits get successive messages, whether they came before or after', async () => {
    const alice = await testing.client({ user: 'alice' });
    await alice.request('channel:join', { channel: 'room:lobby' });
    const channels = testing.get(ChannelService);
    await channels.publish('room:lobby', 1);
    await channels.publish('room:lobby', 2);
    const third = alice.waitFor('channel:message', (message) => message.payload === 3);
    await channels.publish('room:lobby', 3);

    expect((await alice.waitFor('channel:message')).payload).toBe(1);
    expect((await third).payload).toBe(3);
    expect((await alice.waitFor('channel:message')).payload).toBe(2);
  });

  it('rejects a client the application refuses, with the HTTP status', async () => {
    const refused = await testing.client().catch((error: unknown) => error);

    expect(refused).toBeInstanceOf(UpgradeRefusedError);
    expect(refused).toMatchObject({ status: 401, message: expect.stringMatching(/^The server refused the WebSocket upgrade to ws:\/\/127\.0\.0\.1:\d+\/realtime with HTTP 401/) });
  });
});

describe('@nest-realtime/core/testing with the application module as it is', () => {
  @Module({
    imports: [RealtimeModule.forRoot({ path: '/live', authenticate: userFromQuery })],
    providers: [ChatGateway, RoomRules],
  })
  class AppModule {}

  it("serves the module's own RealtimeModule, on its path", async () => {
    const testing = await createRealtimeTestingApp({ imports: [AppModule] });
    try {
      expect(testing.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/live$/);
      const alice = await testing.client({ user: 'alice' });
      expect(alice.clientId).toBe('alice');
    } finally {
      await testing.close();
    }
  });

  it('refuses RealtimeModule options on top of a module that has its own', async () => {
    await expect(createRealtimeTestingApp({ imports: [AppModule], realtime: {} })).rejects.toThrow(
      'createRealtimeTestingApp: `realtime` options were given, but `imports` already bring a RealtimeModule.',
    );
  });
});
