import { ChannelRules } from '../channel/channel.rules';
import { ChannelService } from '../channel/channel.service';
import { PresenceService } from '../presence/presence.service';
import { createRealtimeTestBed, RealtimeTestBed } from '../../testing/internal/unit-fakes';
import { ResumeService } from './resume.service';
import { ResumeSessions } from './resume-sessions';

describe('ResumeService', () => {
  let bed: RealtimeTestBed;
  let channels: ChannelService;
  let resumes: ResumeService;
  let sessions: ResumeSessions;

  beforeEach(async () => {
    bed = await createRealtimeTestBed({ presence: { batchMs: 0 }, channels: [{ pattern: 'news:*', history: { size: 50, ttl: 60_000 } }], logLevels: [] }, [
      ChannelRules,
      PresenceService,
      ChannelService,
      ResumeService,
    ]);
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
});
