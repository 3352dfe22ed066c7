import { createRealtimeTestBed, RealtimeTestBed } from '../../testing/internal/unit-fakes';
import { ChannelService } from '../channel/channel.service';
import { GroupService } from '../group/group.service';
import { PresenceService } from '../presence/presence.service';
import { SharedStateService } from './shared-state.service';
import { StateSnapshots } from './state.snapshots';

const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
};

describe('StateSnapshots', () => {
  let bed: RealtimeTestBed;
  let snapshots: StateSnapshots;
  let state: SharedStateService;
  let channels: ChannelService;

  beforeEach(async () => {
    bed = await createRealtimeTestBed(
      {
        presence: { batchMs: 0 },
        channels: [
          { pattern: 'org:*/room:*', presence: true, state: { inherit: true, write: 'members' } },
          { pattern: 'org:*/team:*', state: { inherit: true } },
          { pattern: 'org:*', state: true },
          { pattern: 'plain:*', state: { log: 2 } },
        ],
      },
      [PresenceService, ChannelService, SharedStateService, GroupService],
    );
    snapshots = bed.moduleRef.get(StateSnapshots);
    state = bed.moduleRef.get(SharedStateService);
    channels = bed.moduleRef.get(ChannelService);
  });

  it('names the scopes a channel gets, farthest first, the channel last; only ancestors with a state rule', () => {
    expect(snapshots.scopesOf('org:acme/team:web/room:1')).toEqual(['org:acme', 'org:acme/team:web', 'org:acme/team:web/room:1']);
    expect(snapshots.scopesOf('plain:1/x')).toEqual(['plain:1/x']);
    expect(snapshots.scopesOf('chat')).toEqual([]);
  });

  describe('a new member', () => {
    it('gets the reply, its presence:state, then one snapshot per scope, farthest first, then the channel frames', async () => {
      await state.set('org:acme', 'plan', 'pro');
      await state.set('org:acme/team:web', 'sprint', 12);
      const { connection, socket } = bed.connect('c1', 'alice');

      await channels.joinFrom(connection, 'org:acme/team:web/room:1', {}, { reply: (result) => connection.sendFrame('test:reply', result) });
      await settle();
      await state.set('org:acme', 'plan', 'team');

      const frames = socket.frames().filter((frame) => /^(state|presence|test):/.test(frame.event));
      expect(frames.map((frame) => [frame.event, frame.data.scope ?? null, frame.data.revision ?? null])).toEqual([
        ['test:reply', null, null],
        ['presence:state', null, null],
        ['state:snapshot', 'org:acme', 1],
        ['state:snapshot', 'org:acme/team:web', 1],
        ['state:snapshot', null, 0],
        ['state:diff', 'org:acme', 2],
      ]);
      expect(frames[2].data).toMatchObject({ channel: 'org:acme/team:web/room:1', entries: { plan: { value: 'pro', version: 1 } } });
      expect(frames[5].data).toMatchObject({ channel: 'org:acme/team:web/room:1', scope: 'org:acme', set: { plan: { value: 'team', version: 2 } } });
    });

    it('gets no change twice and none lost when a write lands while it joins', async () => {
      const { socket } = bed.connect('c1', 'alice');
      const read = snapshots.startFor.bind(snapshots);
      jest.spyOn(snapshots, 'startFor').mockImplementationOnce(async (channel) => {
        await state.set('plain:1', 'a', 1); // a member already: reaches the gate, and the snapshot holds it
        const start = await read(channel);
        await state.set('plain:1', 'b', 2); // after the read: must follow the snapshot
        return start;
      });

      await channels.join('c1', 'plain:1');
      await settle();

      expect(socket.frames().filter((frame) => frame.event.startsWith('state:')).map((frame) => [frame.event, frame.data.revision])).toEqual([
        ['state:snapshot', 1],
        ['state:diff', 2],
      ]);
    });

    it('gets no snapshot when it was a member already', async () => {
      const { socket } = bed.connect('c1', 'alice');
      await channels.join('c1', 'plain:1');
      await channels.join('c1', 'plain:1', { again: true });
      await settle();
      expect(socket.framesOf('state:snapshot')).toHaveLength(1);
    });

    it('is not left a member when its snapshot cannot be read', async () => {
      bed.connect('c1', 'alice');
      jest.spyOn(bed.engine.state, 'snapshot').mockRejectedValueOnce(new Error('store down'));
      await expect(channels.join('c1', 'plain:1')).rejects.toThrow('store down');
      expect(await channels.isMember('plain:1', 'c1')).toBe(false);
    });
  });

  describe('catch-up after a resume', () => {
    it('replays the changes after the position, in order, and says how many', async () => {
      await state.set('plain:1', 'a', 1);
      const { epoch } = await state.snapshot('plain:1');
      await state.set('plain:1', 'a', 2);
      await state.set('plain:1', 'b', 3);

      const catchUp = await snapshots.catchUp('plain:1', { 'plain:1': { revision: 1, epoch } });

      expect(catchUp!.report).toEqual({ 'plain:1': { replayed: 2 } });
      expect(catchUp!.start.revisions).toEqual(new Map([['plain:1', 3]]));
      expect(catchUp!.start.frames.map((frame) => JSON.parse(frame.toString()).data.revision)).toEqual([2, 3]);
    });

    it('sends a snapshot past the log, for another epoch, or without a position', async () => {
      for (const value of [1, 2, 3, 4]) await state.set('plain:1', 'a', value);
      const { epoch } = await state.snapshot('plain:1');

      for (const positions of [{ 'plain:1': { revision: 1, epoch } }, { 'plain:1': { revision: 4, epoch: 'other' } }, undefined]) {
        const catchUp = await snapshots.catchUp('plain:1', positions);
        expect(catchUp!.report).toEqual({ 'plain:1': { snapshot: true } });
        expect(JSON.parse(catchUp!.start.frames[0].toString())).toMatchObject({ event: 'state:snapshot', data: { revision: 4 } });
      }
    });
  });

  it('sends a group snapshot to a client added to a group that has a state, and none for a group without', async () => {
    const groups = bed.moduleRef.get(GroupService);
    const { socket } = bed.connect('c1', 'alice');
    await groups.add('plain', 'alice');
    await state.group('admins').set('banner', 'hello');

    await groups.add('admins', 'alice');

    expect(socket.framesOf('state:snapshot').map((frame) => frame.data)).toEqual([
      { group: 'admins', entries: { banner: expect.objectContaining({ value: 'hello' }) }, revision: 1, epoch: expect.any(String) },
    ]);
  });

  it('sends a fresh group snapshot when the state moved on while the first went out, so the copy misses no change', async () => {
    const { socket } = bed.connect('c1', 'alice');
    const admins = state.group('admins');
    await admins.set('a', 1);
    await bed.engine.groups.add('admins', 'alice');
    const sent: number[] = [];

    await snapshots.sendGroupSnapshot('admins', async (frame) => {
      sent.push(JSON.parse(frame.toString()).data.revision);
      if (sent.length === 1) await admins.set('b', 2); // may have overtaken the snapshot on its way
    });

    expect(sent).toEqual([1, 2]);
    expect(socket.framesOf('state:diff').map((frame) => frame.data.revision)).toEqual([2]);
  });

  it('stops following the ancestors of a dropped channel', async () => {
    const unfollow = jest.spyOn(bed.engine.state, 'unfollow');
    await snapshots.forget('plain:1');
    await snapshots.forget('org:acme/team:web');
    expect(unfollow.mock.calls).toEqual([['org:acme/team:web']]);
  });
});
