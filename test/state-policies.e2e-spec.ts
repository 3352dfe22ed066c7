import { Injectable } from '@nestjs/common';
import { AuditService, ConnectionStateService } from '@nest-realtime/core';
import type { AuditEvent, StateChangeRequest, StatePolicyProvider } from '@nest-realtime/core';
import { userFromQuery } from './support/auth';
import { RealtimeTestApp } from './support/realtime-app';
import type { TestClient } from './support/test-client';

@Injectable()
class Members {
  readonly ids = new Set(['alice']);
}

/** A class policy with a dependency, as an application writes one. */
@Injectable()
class IdleForMembers implements StatePolicyProvider {
  constructor(private readonly members: Members) {}

  decide({ to, clientId }: StateChangeRequest): true | string {
    return to !== 'idle' || this.members.ids.has(clientId) || `idle is for members; ${clientId} is not one`;
  }
}

describe('state policies and timeouts', () => {
  let rt: RealtimeTestApp;
  let audit: AuditEvent[];

  beforeEach(async () => {
    rt = await RealtimeTestApp.start(
      {
        authenticate: userFromQuery,
        state: {
          policies: [IdleForMembers],
          timeouts: { idle: { after: 300, to: 'connected' }, reconnecting: { after: 200, to: 'disconnected' } },
        },
      },
      { providers: [Members, IdleForMembers] },
    );
    audit = [];
    rt.get(AuditService).audit$.subscribe((event) => audit.push(event));
  });

  afterEach(() => rt.close());

  async function connected(user: string): Promise<TestClient> {
    const client = await rt.connect({ user });
    await client.next((frame) => frame.event === 'connection:state');
    audit.length = 0;
    return client;
  }

  it('answers forbidden with the policy reason to a client it refuses, announces nothing and audits the refusal', async () => {
    const bob = await connected('bob');
    const mark = bob.mark();

    const reply = await bob.request('connection:state', { state: 'idle' });
    await bob.roundTrip();

    expect(reply).toEqual({ ok: false, error: { code: 'forbidden', message: 'A state policy refused "connected" → "idle": idle is for members; bob is not one' } });
    expect(rt.get(ConnectionStateService).get(bob.connectionId)).toBe('connected');
    expect(bob.eventsSince('connection:state', mark)).toEqual([]);
    expect(audit).toEqual([
      expect.objectContaining({ type: 'connection.state', connectionId: bob.connectionId, clientId: 'bob', from: 'connected', to: 'idle', outcome: 'refused', reason: 'idle is for members; bob is not one' }),
    ]);
  });

  it('lets a member go idle, then moves it back to connected when idle times out, telling the client why', async () => {
    const alice = await connected('alice');

    expect((await alice.request('connection:state', { state: 'idle' })).ok).toBe(true);
    const woken = await alice.nextEvent('connection:state', (data) => data.state === 'connected');

    expect(woken.data).toEqual({ state: 'connected', previous: 'idle', at: expect.any(Number), reason: 'timeout' });
    expect(rt.get(ConnectionStateService).get(alice.connectionId)).toBe('connected');
    expect(audit.map(({ type, from, to, reason, outcome }) => ({ type, from, to, reason, outcome }))).toEqual([
      { type: 'connection.state', from: 'connected', to: 'idle', reason: 'client request', outcome: undefined },
      { type: 'connection.state', from: 'idle', to: 'connected', reason: 'timeout', outcome: undefined },
    ]);
  });

  it('does not time out a member that left idle in time', async () => {
    const alice = await connected('alice');
    await alice.request('connection:state', { state: 'idle' });
    await alice.request('connection:state', { state: 'connected' });
    const mark = alice.mark();

    await new Promise((resolve) => setTimeout(resolve, 400));

    expect(alice.eventsSince('connection:state', mark)).toEqual([]);
  });

  it('rejects a server transition a policy refuses, and ends a server-set reconnecting after its timeout', async () => {
    const bob = await connected('bob');
    const states = rt.get(ConnectionStateService);

    await expect(states.transition(bob.connectionId, 'idle', 'no input')).rejects.toThrow('idle is for members; bob is not one');
    await states.transition(bob.connectionId, 'reconnecting', 'upstream lost');
    const ended = await bob.nextEvent('connection:state', (data) => data.state === 'disconnected');

    expect(ended.data).toEqual({ state: 'disconnected', previous: 'reconnecting', at: expect.any(Number), reason: 'timeout' });
    expect(audit.at(-1)).toMatchObject({ type: 'connection.state', from: 'reconnecting', to: 'disconnected', reason: 'timeout' });
  });
});
