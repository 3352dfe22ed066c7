import { ChannelRules } from '../channel/channel.rules';
import { ChannelService } from '../channel/channel.service';
import { PresenceService } from '../presence/presence.service';
import { createRealtimeTestBed, RealtimeTestBed } from '../../testing/internal/unit-fakes';
import { ResumeService } from './resume.service';
import { ResumeSessions } from './resume-sessions';
import { SharedStateService } from '../shared-state/shared-state.service';

describe('ResumeService', () => {
  let bed: RealtimeTestBed;
  let channels: ChannelService;
  let resumes: ResumeService;
  let sessions: ResumeSessions;

  beforeEach(async () => {
    bed = await createRealtimeTestBed(
      {
        presence: { batchMs: 0 },
        channels: [
          { pattern: 'news:*', history: { size: 50, ttl: 60_000 } },
          { pattern: 'doc:*', state: { log: 3 } },
        ],
        logLevels: [],
      },
      [ChannelRules, PresenceService, ChannelService, ResumeService, SharedStateService],
    );
    channels = bed.moduleRef.get(ChannelService);
    resumes = bed.moduleRef.get(ResumeService);
    sessions = bed.moduleRef.get(ResumeSessions);
  });

  /** alice reads news:x up to offset 1, then her connection closes: her session is saved, her memberships gone. */
  async function aliceLeftAfterOne(): Promise<{ token: string; epoch: string }> {
    const { connection } = bed.connect('old', 'alice');
    const { token } = sessions.grant(connection)!;
    const { epoch } = (await channels.join('old', 'news:x')) as { epoch: string };
    await channels.publish('news:x', 1);
    await sessions.save(connection, 1006);
    await channels.leaveAll('old');
    bed.registry.remove(connection);
    return { token, epoch };
  }

  it('replays the missed messages then the live ones, without a gap or a duplicate, when messages land while it reads the history', async () => {
    const { token, epoch } = await aliceLeftAfterOne();
    await channels.publish('news:x', 2);
    await channels.publish('news:x', 3);
    const { connection, socket } = bed.connect('new', 'alice');
    const read = bed.engine.broker.historySince.bind(bed.engine.broker);
    jest.spyOn(bed.engine.broker, 'historySince').mockImplementation(async (...args) => {
      await channels.publish('news:x', 4); // in the history read, and held live
      const history = await read(...args);
      await channels.publish('news:x', 5); // only held live
      return history;
    });

    const { result } = await resumes.resume(connection, { token, channels: { 'news:x': { offset: 1, epoch } } });

    expect(result).toEqual({ resumed: true, missed: 3, channels: { 'news:x': { missed: 3, offset: 4, epoch } } });
    expect(socket.framesOf('channel:message').map((frame) => frame.data.offset)).toEqual([2, 3, 4, 5]);
    await channels.publish('news:x', 6);
    expect(socket.framesOf('channel:message').map((frame) => frame.data.payload)).toEqual([2, 3, 4, 5, 6]);
  });

  it('undoes every membership it restored when a later channel cannot be restored', async () => {
    const { connection } = bed.connect('old', 'alice');
    const { token } = sessions.grant(connection)!;
    await channels.join('old', 'plain');
    await channels.join('old', 'news:y');
    await sessions.save(connection, 1006);
    await channels.leaveAll('old');
    const { connection: next } = bed.connect('new', 'alice');

    const { result } = await resumes.resume(next, { token, channels: { 'news:y': { offset: 0, epoch: 'not-this-one' } } });

    expect(result).toEqual({ resumed: false, reason: 'history_lost', channel: 'news:y' });
    expect(await channels.channelsOf('new')).toEqual([]);
  });

  describe('shared state', () => {
    /** alice held doc:1 at revision 1, then her connection closed. */
    async function aliceLeftAtRevisionOne(): Promise<{ token: string; epoch: string; state: SharedStateService }> {
      const state = bed.moduleRef.get(SharedStateService);
      const { connection } = bed.connect('old', 'alice');
      const { token } = sessions.grant(connection)!;
      await channels.join('old', 'doc:1');
      await state.set('doc:1', 'title', 'Draft');
      await sessions.save(connection, 1006);
      await channels.leaveAll('old');
      bed.registry.remove(connection);
      return { token, epoch: (await state.snapshot('doc:1')).epoch, state };
    }

    it('replays exactly the missed changes after the reply, before the live ones, and reports how many', async () => {
      const { token, epoch, state } = await aliceLeftAtRevisionOne();
      await state.set('doc:1', 'title', 'Final');
      const { connection, socket } = bed.connect('new', 'alice');
      const read = bed.engine.state.changesSince.bind(bed.engine.state);
      jest.spyOn(bed.engine.state, 'changesSince').mockImplementationOnce(async (...args) => {
        await state.set('doc:1', 'a', 1); // read, and held live: sent once
        const changes = await read(...args);
        await state.set('doc:1', 'b', 2); // held live only
        return changes;
      });

      const outcome = await resumes.resume(connection, { token, state: { 'doc:1': { 'doc:1': { revision: 1, epoch } } } });

      expect(outcome.result).toEqual({ resumed: true, missed: 0, channels: { 'doc:1': { missed: 0, state: { 'doc:1': { replayed: 2 } } } } });
      expect(socket.framesOf('state:diff')).toEqual([]);
      outcome.release();
      await state.set('doc:1', 'c', 3);
      expect(socket.framesOf('state:diff').map((frame) => frame.data.revision)).toEqual([2, 3, 4, 5]);
      expect(socket.framesOf('state:snapshot')).toEqual([]);
    });

    it('sends a fresh snapshot past the change log, or without a position, never a gap', async () => {
      const { token, epoch, state } = await aliceLeftAtRevisionOne();
      for (const value of [1, 2, 3, 4]) await state.set('doc:1', 'n', value);
      const { connection, socket } = bed.connect('new', 'alice');

      const outcome = await resumes.resume(connection, { token, state: { 'doc:1': { 'doc:1': { revision: 1, epoch } } } });
      outcome.release();

      expect(outcome.result).toMatchObject({ resumed: true, channels: { 'doc:1': { state: { 'doc:1': { snapshot: true } } } } });
      expect(socket.framesOf('state:snapshot').map((frame) => frame.data)).toEqual([
        { channel: 'doc:1', entries: expect.objectContaining({ n: expect.objectContaining({ value: 4 }) }), revision: 5, epoch },
      ]);
    });

    it('refuses state positions that are not {revision, epoch}, naming them', async () => {
      const { connection } = bed.connect('new', 'alice');
      await expect(resumes.resume(connection, { token: 't', state: { 'doc:1': { 'doc:1': { revision: -1 } } } })).rejects.toMatchObject({
        code: 'invalid',
        details: [{ field: 'state.doc:1.doc:1', message: "must be {revision: an integer ≥ 0, epoch: the snapshot's epoch}" }],
      });
    });

    it('gives the resume up (unavailable) when the state cannot be read, and undoes the memberships', async () => {
      const { token } = await aliceLeftAtRevisionOne();
      const { connection } = bed.connect('new', 'alice');
      jest.spyOn(bed.engine.state, 'snapshot').mockRejectedValueOnce(new Error('store down'));

      const outcome = await resumes.resume(connection, { token });

      expect(outcome.result).toEqual({ resumed: false, reason: 'unavailable', channel: 'doc:1' });
      expect(await channels.channelsOf('new')).toEqual([]);
    });
  });
});
