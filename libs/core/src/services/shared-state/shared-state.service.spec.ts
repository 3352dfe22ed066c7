import { firstValueFrom, isObservable, take, toArray } from 'rxjs';
import { createRealtimeTestBed, RealtimeTestBed, refusal } from '../../testing/internal/unit-fakes';
import { ChannelService } from '../channel/channel.service';
import { PresenceService } from '../presence/presence.service';
import { SharedStateService } from './shared-state.service';

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('SharedStateService', () => {
  let bed: RealtimeTestBed;
  let state: SharedStateService;
  let channels: ChannelService;

  beforeEach(async () => {
    bed = await createRealtimeTestBed(
      {
        presence: { batchMs: 0 },
        sharedState: { maxValueBytes: 64, maxTtl: 60_000, groups: { maxKeys: 2 } },
        channels: [
          { pattern: 'doc:*', state: { write: 'members', maxKeys: 2 } },
          { pattern: 'board:*', state: true },
          { pattern: 'vote:*', state: { write: ({ key, clientId }) => key === clientId } },
        ],
      },
      [PresenceService, ChannelService, SharedStateService],
    );
    state = bed.moduleRef.get(SharedStateService);
    channels = bed.moduleRef.get(ChannelService);
  });

  describe('written by the server', () => {
    it('sets a key at version 1 with by: null, and every member gets the change once', async () => {
      const { socket } = bed.connect('c1', 'alice');
      await channels.join('c1', 'board:1');
      await settle();

      const result = await state.set('board:1', 'topic', 'Release');

      expect(result).toEqual({ channel: 'board:1', key: 'topic', version: 1, revision: 1 });
      const entry = await state.get('board:1', 'topic');
      expect(entry).toMatchObject({ value: 'Release', version: 1, by: null });
      expect(socket.framesOf('state:diff').map((frame) => frame.data)).toEqual([{ channel: 'board:1', revision: 1, set: { topic: entry }, removed: [] }]);
    });

    it("writes a channel whose rule says write: 'server', whatever the rule", async () => {
      await expect(state.set('board:1', 'a', 1)).resolves.toMatchObject({ version: 1 });
      await expect(state.set('board:1', 'a', 2)).resolves.toMatchObject({ version: 2, revision: 2 });
    });

    it('compares and sets: a version that is not the current one is refused with conflict and the current ones', async () => {
      await state.set('board:1', 'counter', 1);

      const error = await refusal(() => state.set('board:1', 'counter', 5, { version: 3 }));

      expect(error.code).toBe('conflict');
      expect(error.details).toEqual({ version: 1, value: 1 });
      expect(error.message).toBe('"counter" of the shared state of "board:1" is at version 1, not 3: read it again and retry.');
      expect((await refusal(() => state.set('board:1', 'fresh', 1, { version: 1 }))).details).toEqual({ version: 0, value: null });
      await expect(state.set('board:1', 'fresh', 1, { version: 0 })).resolves.toMatchObject({ version: 1 });
      expect(await state.get('board:1', 'counter')).toMatchObject({ value: 1, version: 1 });
    });

    it('deletes a key (version 0) and resolves to null for a key that is not there', async () => {
      await state.set('board:1', 'a', 1);
      await expect(state.delete('board:1', 'a')).resolves.toEqual({ channel: 'board:1', key: 'a', version: 0, revision: 2 });
      await expect(state.delete('board:1', 'a')).resolves.toBeNull();
      expect(await state.get('board:1')).toEqual({});
    });

    it('reads the whole state with its revision and epoch', async () => {
      await state.set('board:1', 'a', 1);
      const snapshot = await state.snapshot('board:1');
      expect(snapshot).toMatchObject({ channel: 'board:1', revision: 1, entries: { a: { value: 1, version: 1 } } });
      expect(typeof snapshot.epoch).toBe('string');
    });

    it('refuses a channel without a state rule with not_found, saying what to add', async () => {
      const error = await refusal(() => state.set('chat', 'a', 1));
      expect(error.code).toBe('not_found');
      expect(error.message).toBe('"chat" keeps no shared state: give the channel rule that matches it a `state` option.');
    });

    it('validates like a client write: a bad value, ttl or key changes nothing', async () => {
      expect((await refusal(() => state.set('board:1', 'a', 'x'.repeat(100)))).code).toBe('invalid');
      expect((await refusal(() => state.set('board:1', 'a', 1, { ttl: 60_001 }))).code).toBe('invalid');
      expect((await refusal(() => state.set('board:1', '', 1))).code).toBe('invalid');
      expect(await state.snapshot('board:1')).toMatchObject({ revision: 0, entries: {} });
    });

    it('refuses a new key past maxKeys with limit', async () => {
      await state.set('doc:1', 'a', 1);
      await state.set('doc:1', 'b', 1);
      const error = await refusal(() => state.set('doc:1', 'c', 1));
      expect(error.code).toBe('limit');
      expect(error.message).toBe('The shared state of "doc:1" holds 2 keys, its most: delete one before adding "c".');
      await expect(state.set('doc:1', 'a', 2)).resolves.toMatchObject({ version: 2 });
    });

    it('answers internal with what to do when the engine cannot reach its store', async () => {
      jest.spyOn(bed.engine.state, 'write').mockResolvedValueOnce({ ok: false, reason: 'unavailable' });
      const error = await refusal(() => state.set('board:1', 'a', 1));
      expect(error.code).toBe('internal');
      expect(error.message).toBe('The shared state of "board:1" could not be written: the engine cannot reach its store. Nothing was changed; try again.');
    });
  });

  describe('written by clients', () => {
    it('lets a member write where the rule allows, with its clientId as by', async () => {
      const { connection } = bed.connect('c1', 'alice');
      await channels.join('c1', 'doc:1');

      await expect(state.setFrom(connection, 'doc:1', 'title', 'Draft', { ttl: 1000 })).resolves.toEqual({ channel: 'doc:1', key: 'title', version: 1, revision: 1 });
      expect(await state.get('doc:1', 'title')).toMatchObject({ value: 'Draft', by: 'alice', expiresAt: expect.any(Number) });
      await expect(state.deleteFrom(connection, 'doc:1', 'title', { version: 1 })).resolves.toEqual({ channel: 'doc:1', key: 'title', version: 0, revision: 2 });
    });

    it('refuses a connection that is not a member with not_joined', async () => {
      const { connection } = bed.connect('c1', 'alice');
      expect((await refusal(() => state.setFrom(connection, 'doc:1', 'title', 'x'))).code).toBe('not_joined');
    });

    it("refuses members of a write: 'server' channel with forbidden, and those a function says no to", async () => {
      const { connection } = bed.connect('c1', 'alice');
      await channels.join('c1', 'board:1');
      await channels.join('c1', 'vote:1');

      expect((await refusal(() => state.setFrom(connection, 'board:1', 'a', 1))).code).toBe('forbidden');
      expect((await refusal(() => state.setFrom(connection, 'vote:1', 'bob', 'yes'))).code).toBe('forbidden');
      await expect(state.setFrom(connection, 'vote:1', 'alice', 'yes')).resolves.toMatchObject({ version: 1 });
    });

    it('refuses a delete of a key that is not there with not_found', async () => {
      const { connection } = bed.connect('c1', 'alice');
      await channels.join('c1', 'doc:1');
      const error = await refusal(() => state.deleteFrom(connection, 'doc:1', 'nothing'));
      expect(error.code).toBe('not_found');
      expect(error.message).toBe('The shared state of "doc:1" has no key "nothing".');
    });

    it('checks the request before membership: a bad one is invalid and changes nothing', async () => {
      const { connection } = bed.connect('c1', 'alice');
      await channels.join('c1', 'doc:1');
      expect((await refusal(() => state.setFrom(connection, 'doc:1', 'a', { f: NaN }))).details).toEqual([{ field: 'value.f', message: 'must be a finite number' }]);
      expect((await refusal(() => state.setFrom(connection, 'doc:1', 'a', 1, { version: -1 }))).code).toBe('invalid');
      expect(await state.snapshot('doc:1')).toMatchObject({ revision: 0 });
    });
  });

  describe('groups', () => {
    it("delivers a group's changes to every connection of its clients, with group instead of channel", async () => {
      const { socket: first } = bed.connect('c1', 'alice');
      const { socket: second } = bed.connect('c2', 'alice');
      const { socket: outsider } = bed.connect('c3', 'bob');
      await bed.engine.groups.add('admins', 'alice');

      await expect(state.group('admins').set('banner', 'Maintenance')).resolves.toEqual({ group: 'admins', key: 'banner', version: 1, revision: 1 });

      for (const socket of [first, second]) expect(socket.framesOf('state:diff').map((frame) => frame.data)).toEqual([
        { group: 'admins', revision: 1, set: { banner: expect.objectContaining({ value: 'Maintenance', by: null }) }, removed: [] },
      ]);
      expect(outsider.framesOf('state:diff')).toEqual([]);
      expect(await state.group('admins').get('banner')).toMatchObject({ value: 'Maintenance' });
      expect(await state.group('admins').snapshot()).toMatchObject({ group: 'admins', revision: 1 });
      await expect(state.group('admins').delete('banner')).resolves.toEqual({ group: 'admins', key: 'banner', version: 0, revision: 2 });
      await expect(state.group('admins').delete('banner')).resolves.toBeNull();
    });

    it('holds a group state to sharedState.groups.maxKeys', async () => {
      const admins = state.group('admins');
      await admins.set('a', 1);
      await admins.set('b', 1);
      expect((await refusal(() => admins.set('c', 1))).code).toBe('limit');
    });
  });

  it('streams the writes made through this node as an Observable', async () => {
    expect(isObservable(state.state$)).toBe(true);
    const events = firstValueFrom(state.state$.pipe(take(2), toArray()));
    await state.set('board:1', 'a', 1);
    await state.group('admins').delete('none').then(() => state.group('admins').set('b', 2));

    expect(await events).toEqual([
      { type: 'set', channel: 'board:1', key: 'a', value: 1, version: 1, revision: 1, clientId: null, connectionId: null, at: expect.any(Number) },
      { type: 'set', group: 'admins', key: 'b', value: 2, version: 1, revision: 1, clientId: null, connectionId: null, at: expect.any(Number) },
    ]);
  });
});
