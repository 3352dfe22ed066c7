import { Injectable } from '@nestjs/common';
import type { AuditEvent, ChannelAuthorizationRequest } from '@nest-realtime/core';
import { AuditService, ChannelAuthorizer, ChannelService, PresenceService, RealtimeException } from '@nest-realtime/core';
import { filter, firstValueFrom } from 'rxjs';
import { userFromQuery } from './support/auth';
import { RealtimeTestApp } from './support/realtime-app';
import { TestClient } from './support/test-client';

/** A provider authorizer: `private:<user>` belongs to that user alone; `team:*` wants a team claim. */
@Injectable()
class Authorizers {
  readonly asked: ChannelAuthorizationRequest[] = [];

  @ChannelAuthorizer('private:*')
  ownChannel(request: ChannelAuthorizationRequest): boolean {
    this.asked.push(request);
    return request.channel === `private:${request.clientId}`;
  }

  @ChannelAuthorizer('vault:*')
  async vault(request: ChannelAuthorizationRequest): Promise<boolean> {
    if (request.meta.pin === undefined) throw new RealtimeException('invalid', 'A vault needs a pin.', [{ field: 'meta.pin', message: 'is required' }]);
    return request.meta.pin === 1234;
  }

  @ChannelAuthorizer('broken:*')
  broken(): boolean {
    throw new Error('the permissions service is down');
  }
}

describe('private channels', () => {
  let rt: RealtimeTestApp;
  let audit: AuditEvent[];

  beforeEach(async () => {
    rt = await RealtimeTestApp.start(
      {
        authenticate: userFromQuery,
        presence: { batchMs: 0 },
        channels: [
          { pattern: 'private:*', presence: true },
          { pattern: 'staff:*', presence: true, authorize: ({ clientId }) => clientId.startsWith('staff-') },
          { pattern: 'locked:*', private: true },
        ],
      },
      { providers: [Authorizers] },
    );
    audit = [];
    rt.get(AuditService).audit$.subscribe((event) => audit.push(event));
  });

  afterEach(() => rt.close());

  const connect = (user: string): Promise<TestClient> => rt.connect({ user });

  it('lets the user its provider authorizer allows join, and asks it with clientId, claims, channel and meta', async () => {
    const alice = await connect('alice');

    const reply = await alice.request('channel:join', { channel: 'private:alice', meta: { device: 'phone' } });

    expect(reply).toEqual({ ok: true, result: { channel: 'private:alice', presence: expect.any(Object) } });
    expect(rt.get(Authorizers).asked).toEqual([
      { connectionId: alice.connectionId, clientId: 'alice', claims: {}, channel: 'private:alice', meta: { device: 'phone' } },
    ]);
    expect(audit).toContainEqual(
      expect.objectContaining({ type: 'channel.authorization', outcome: 'allowed', clientId: 'alice', channel: 'private:alice' }),
    );
  });

  it('refuses another user with forbidden: no membership, no presence, and none of its messages ever', async () => {
    const alice = await connect('alice');
    const mallory = await connect('mallory');
    await alice.request('channel:join', { channel: 'private:alice' });
    const mark = mallory.mark();

    const reply = await mallory.request('channel:join', { channel: 'private:alice', meta: { name: 'mallory' } });

    expect(reply).toEqual({ ok: false, error: { code: 'forbidden', message: 'You may not join "private:alice".' } });
    const channels = rt.get(ChannelService);
    expect(await channels.isMember('private:alice', mallory.connectionId)).toBe(false);
    expect(Object.keys(await rt.get(PresenceService).list('private:alice'))).toEqual(['alice']);
    expect(audit).toContainEqual(
      expect.objectContaining({ type: 'channel.authorization', outcome: 'refused', clientId: 'mallory', channel: 'private:alice', at: expect.any(Number) }),
    );

    const aliceHears = alice.nextEvent('channel:message', (data) => data.payload === 'from the server');
    await channels.publish('private:alice', 'from the server');
    await aliceHears;
    const aliceSays = alice.nextEvent('channel:message', (data) => data.payload === 'from alice');
    expect((await alice.request('channel:publish', { channel: 'private:alice', payload: 'from alice' })).ok).toBe(true);
    await aliceSays;
    await alice.request('presence:update', { channel: 'private:alice', meta: { status: 'away' } });
    expect((await mallory.request('channel:publish', { channel: 'private:alice', payload: 'let me in' })).error?.code).toBe('not_joined');
    expect((await mallory.request('presence:list', { channel: 'private:alice' })).error?.code).toBe('not_joined');
    await mallory.roundTrip();

    const seen = mallory.since(mark).filter((frame) => JSON.stringify(frame).includes('private:alice') && frame.event !== 'reply');
    expect(seen).toEqual([]);
  });

  it('asks the rule authorizer of a channels rule', async () => {
    const staff = await connect('staff-ann');
    const guest = await connect('guest');

    expect((await staff.request('channel:join', { channel: 'staff:room' })).ok).toBe(true);
    expect((await guest.request('channel:join', { channel: 'staff:room' })).error?.code).toBe('forbidden');
  });

  it('refuses every join of a private channel that has no authorizer', async () => {
    const alice = await connect('alice');

    expect((await alice.request('channel:join', { channel: 'locked:1' })).error).toEqual({ code: 'forbidden', message: 'You may not join "locked:1".' });
    expect(audit).toContainEqual(expect.objectContaining({ type: 'channel.authorization', outcome: 'refused', reason: 'no authorizer' }));
  });

  it('makes a channel private through an authorizer pattern alone, without a rule', async () => {
    const alice = await connect('alice');

    expect(rt.get(ChannelService).optionsOf('vault:1').private).toBe(true);
    expect((await alice.request('channel:join', { channel: 'vault:1', meta: { pin: 1 } })).error?.code).toBe('forbidden');
    expect((await alice.request('channel:join', { channel: 'vault:1', meta: { pin: 1234 } })).ok).toBe(true);
  });

  it("answers an authorizer's own RealtimeException as it is", async () => {
    const alice = await connect('alice');

    expect((await alice.request('channel:join', { channel: 'vault:2' })).error).toEqual({
      code: 'invalid',
      message: 'A vault needs a pin.',
      details: [{ field: 'meta.pin', message: 'is required' }],
    });
    expect(await rt.get(ChannelService).isMember('vault:2', alice.connectionId)).toBe(false);
  });

  it('refuses with forbidden when an authorizer throws, and keeps serving', async () => {
    const alice = await connect('alice');

    expect((await alice.request('channel:join', { channel: 'broken:1' })).error).toEqual({ code: 'forbidden', message: 'You may not join "broken:1".' });
    expect((await alice.request('channel:join', { channel: 'private:alice' })).ok).toBe(true);
  });

  it('does not ask authorizers about public channels', async () => {
    const alice = await connect('alice');

    expect((await alice.request('channel:join', { channel: 'lobby' })).ok).toBe(true);
    expect(rt.get(Authorizers).asked).toEqual([]);
    expect(audit.filter((event) => event.type === 'channel.authorization')).toEqual([]);
  });

  it('lets server code join a connection to a private channel without asking', async () => {
    const alice = await connect('alice');

    await rt.get(ChannelService).join(alice.connectionId, 'private:bob');

    expect(await rt.get(ChannelService).isMember('private:bob', alice.connectionId)).toBe(true);
  });
});

describe('channel rules against abuse', () => {
  let rt: RealtimeTestApp;
  let audit: AuditEvent[];

  beforeEach(async () => {
    rt = await RealtimeTestApp.start({
      authenticate: userFromQuery,
      channels: [
        { pattern: 'news:*', publish: 'server' },
        { pattern: 'duo:*', limit: 2 },
      ],
      limits: { maxChannelsPerConnection: 3 },
      cleanup: { interval: 20 },
    });
    audit = [];
    rt.get(AuditService).audit$.subscribe((event) => audit.push(event));
  });

  afterEach(() => rt.close());

  it('lets only the server publish to a server-only channel', async () => {
    const reader = await rt.connect({ user: 'reader' });
    await reader.request('channel:join', { channel: 'news:today' });

    expect((await reader.request('channel:publish', { channel: 'news:today', payload: 'fake news' })).error?.code).toBe('forbidden');
    const news = reader.nextEvent('channel:message');
    await rt.get(ChannelService).publish('news:today', 'real news');
    expect((await news).data).toEqual(expect.objectContaining({ from: null, payload: 'real news' }));
  });

  it('answers limit to the member past the channel limit', async () => {
    const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((user) => rt.connect({ user })));

    expect((await a.request('channel:join', { channel: 'duo:1' })).ok).toBe(true);
    expect((await b.request('channel:join', { channel: 'duo:1' })).ok).toBe(true);
    expect((await c.request('channel:join', { channel: 'duo:1' })).error?.code).toBe('limit');
  });

  it('answers limit to a connection past maxChannelsPerConnection, and lets it join again after a leave', async () => {
    const alice = await rt.connect({ user: 'alice' });
    for (const channel of ['a', 'b', 'c']) expect((await alice.request('channel:join', { channel })).ok).toBe(true);

    expect((await alice.request('channel:join', { channel: 'd' })).error).toEqual({ code: 'limit', message: expect.stringContaining('at most 3 channels') });
    expect((await alice.request('channel:join', { channel: 'a', meta: { again: true } })).ok).toBe(true);
    await alice.request('channel:leave', { channel: 'a' });
    expect((await alice.request('channel:join', { channel: 'd' })).ok).toBe(true);
  });

  it('kicks a client from a channel: it gets channel:kicked and no more of its messages', async () => {
    const channels = rt.get(ChannelService);
    const troll = await rt.connect({ user: 'troll' });
    const trollTab = await rt.connect({ user: 'troll' });
    const friend = await rt.connect({ user: 'friend' });
    for (const client of [troll, trollTab, friend]) await client.request('channel:join', { channel: 'chat' });
    const kicked = troll.nextEvent('channel:kicked');

    expect(await channels.kick('chat', 'troll', 'spamming')).toBe(2);

    expect((await kicked).data).toEqual({ channel: 'chat', reason: 'spamming' });
    expect(await channels.isMember('chat', trollTab.connectionId)).toBe(false);
    const mark = troll.mark();
    const heard = friend.nextEvent('channel:message');
    await channels.publish('chat', 'after the kick');
    await heard;
    await troll.roundTrip();
    expect(troll.eventsSince('channel:message', mark)).toEqual([]);
    expect(audit.filter((event) => event.type === 'channel.kick').map((event) => [event.clientId, event.channel, event.reason])).toEqual([
      ['troll', 'chat', 'spamming'],
      ['troll', 'chat', 'spamming'],
    ]);
  });

  it('keeps a temporary channel while it has members and forgets it once empty for its ttl', async () => {
    const channels = rt.get(ChannelService);
    channels.create('game:42', { ttl: 100, limit: 1, publish: 'server' });
    const expired = firstValueFrom(rt.get(AuditService).audit$.pipe(filter((event) => event.type === 'channel.expired')));
    const alice = await rt.connect({ user: 'alice' });
    const bob = await rt.connect({ user: 'bob' });

    expect(channels.optionsOf('game:42')).toEqual(expect.objectContaining({ limit: 1, publish: 'server' }));
    expect((await alice.request('channel:join', { channel: 'game:42' })).ok).toBe(true);
    expect((await bob.request('channel:join', { channel: 'game:42' })).error?.code).toBe('limit');
    const left = Date.now();
    await alice.request('channel:leave', { channel: 'game:42' });

    expect(await expired).toEqual(expect.objectContaining({ channel: 'game:42', connectionId: null }));
    expect(Date.now() - left).toBeGreaterThanOrEqual(100);
    expect(channels.optionsOf('game:42')).toEqual(expect.objectContaining({ limit: 0, publish: 'members' }));
  });

  it('refuses temporary channel options that are not valid, naming the option', () => {
    expect(() => rt.get(ChannelService).create('game:1', { ttl: -1 })).toThrow('ChannelService.create("game:1"): ttl must be');
    expect(() => rt.get(ChannelService).create('game:1', { ttl: 10, limit: -2 })).toThrow('ChannelService.create("game:1"): options.limit must be');
  });
});
