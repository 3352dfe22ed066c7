import { GroupService, SharedStateService } from '@nest-realtime/core';
import { RealtimeClient, RealtimeError, wsTransport } from '@nest-realtime/client/node';
import type { RealtimeChannel, SharedState, SharedStateChange, Transport } from '@nest-realtime/client/node';
import { userFromQuery } from './support/auth';
import { GatedTransport } from './support/gated-transport';
import { RealtimeTestApp } from './support/realtime-app';

type TeamState = { topic: string; motto: string };

const ORG = 'org:acme';
const TEAM = 'org:acme/team:web';
const QUICK = { baseDelay: 10, maxDelay: 10 };

/** Resolves once the state satisfies the predicate (now or after a later change or snapshot). */
function stateWhen<S extends object>(state: SharedState<S>, predicate: (state: SharedState<S>) => boolean): Promise<void> {
  if (predicate(state)) return Promise.resolve();
  return new Promise((resolve) => {
    const offs = [state.onChange(check), state.onSnapshot(check)];
    function check() {
      if (!predicate(state)) return;
      offs.forEach((off) => off());
      resolve();
    }
  });
}

describe('the client SDK shared state against the server', () => {
  let rt: RealtimeTestApp;
  let clients: RealtimeClient[];

  beforeEach(async () => {
    rt = await RealtimeTestApp.start({
      authenticate: userFromQuery,
      channels: [{ pattern: 'org:*', state: { write: 'members', inherit: true } }],
      logLevels: [],
    });
    clients = [];
  });

  afterEach(async () => {
    clients.forEach((client) => client.close());
    await rt.close();
  });

  function clientOf(user: string, transport: Transport = wsTransport()): RealtimeClient {
    const client = new RealtimeClient({ url: rt.url, params: { user }, transport, reconnect: QUICK });
    clients.push(client);
    return client;
  }

  async function member(user: string, transport?: Transport): Promise<{ client: RealtimeClient; team: RealtimeChannel<unknown, Record<string, unknown>, TeamState> }> {
    const client = clientOf(user, transport);
    await client.connect();
    const team = client.channel<unknown, Record<string, unknown>, TeamState>(TEAM);
    await team.join();
    await stateWhen(team.sharedState, (state) => state.ready);
    return { client, team };
  }

  it("merges the team's state with the organisation's, the team's winning, and follows both live", async () => {
    const state = rt.get(SharedStateService);
    await state.set(ORG, 'topic', 'acme news');
    await state.set(ORG, 'motto', 'ship it');
    const { team } = await member('alice');
    const changes: Array<SharedStateChange<TeamState>> = [];
    team.sharedState.onChange((change) => changes.push(change));

    expect(team.sharedState.values()).toEqual({ topic: 'acme news', motto: 'ship it' });
    expect(Object.keys(team.sharedState.positions()).sort()).toEqual([ORG, TEAM]);

    await team.sharedState.set('topic', 'web news');
    await stateWhen(team.sharedState, (copy) => copy.get('topic') === 'web news');
    expect(team.sharedState.entry('topic')).toMatchObject({ scope: TEAM, by: 'alice', version: 1 });

    // Shadowed by the team's own topic: no change for the team's members.
    await state.set(ORG, 'topic', 'acme news 2');
    await state.set(ORG, 'motto', 'ship it twice');
    await stateWhen(team.sharedState, (copy) => copy.get('motto') === 'ship it twice');
    expect(team.sharedState.get('topic')).toBe('web news');

    await team.sharedState.delete('topic');
    await stateWhen(team.sharedState, (copy) => copy.get('topic') === 'acme news 2');
    expect(changes.map(({ key, value, scope, reason }) => [key, value, scope, reason])).toEqual([
      ['topic', 'web news', TEAM, 'set'],
      ['motto', 'ship it twice', ORG, 'set'],
      ['topic', 'acme news 2', ORG, 'removed'],
    ]);
  });

  it('refuses a write with a stale version with conflict and the current version and value', async () => {
    const { team } = await member('alice');
    const { team: bobsTeam } = await member('bob');
    await team.sharedState.set('topic', 'first');
    await stateWhen(bobsTeam.sharedState, (copy) => copy.version('topic') === 1);
    await bobsTeam.sharedState.set('topic', 'second', { version: 1 });

    const error = await team.sharedState.set('topic', 'mine', { version: 1 }).catch((failure: unknown) => failure);

    expect(error).toBeInstanceOf(RealtimeError);
    expect(error).toMatchObject({ code: 'conflict', details: { version: 2, value: 'second' } });
  });

  it("fills a group's state from the snapshot a member gets on joining the group, then follows it", async () => {
    const client = clientOf('alice');
    await client.connect();
    const ops = client.groupState<{ banner: string }>('ops');
    const state = rt.get(SharedStateService);
    await state.group('ops').set('banner', 'Maintenance at 2');

    await rt.get(GroupService).add('ops', 'alice');
    await stateWhen(ops, (copy) => copy.ready);
    expect(ops.get('banner')).toBe('Maintenance at 2');
    await state.group('ops').set('banner', 'Maintenance at 3');
    await stateWhen(ops, (copy) => copy.get('banner') === 'Maintenance at 3');
  });

  it('catches up after a dropped connection with the diffs it missed, resuming from its positions', async () => {
    const network = new GatedTransport();
    const sent: Array<{ event: string; data: Record<string, unknown> }> = [];
    const recording: Transport = (url, protocols, handlers) => {
      const socket = network.transport(url, protocols, handlers);
      return {
        seesPings: socket.seesPings,
        send: (text) => {
          sent.push(JSON.parse(text as string));
          socket.send(text);
        },
        close: (code, reason) => socket.close(code, reason),
        abort: () => socket.abort(),
      };
    };
    const { client, team } = await member('alice', recording);
    await team.sharedState.set('topic', 'before');
    await stateWhen(team.sharedState, (copy) => copy.get('topic') === 'before');
    const positions = team.sharedState.positions();
    const snapshots: unknown[] = [];
    team.sharedState.onSnapshot((snapshot) => snapshots.push(snapshot));
    const resumed = new Promise((resolve) => team.on('joined', (joined) => joined.rejoined && resolve(joined)));

    const released = rt.released(client.welcome!.connectionId);
    network.cut();
    await released;
    await rt.get(SharedStateService).set(TEAM, 'topic', 'missed');
    await rt.get(SharedStateService).set(ORG, 'motto', 'missed too');
    network.allow();

    expect(await resumed).toEqual({ channel: TEAM, rejoined: true, resumed: true });
    await stateWhen(team.sharedState, (copy) => copy.get('topic') === 'missed' && copy.get('motto') === 'missed too');
    expect(team.sharedState.entry('topic')).toMatchObject({ by: null, version: 2 });
    expect(sent.find((frame) => frame.event === 'connection:resume')?.data.state).toEqual({ [TEAM]: positions });
    expect(snapshots).toEqual([]);
  });
});
