import { RealtimeException } from '../../errors/realtime.exception';
import { createRealtimeTestBed, RealtimeTestBed } from '../../testing/internal/unit-fakes';
import { GroupService } from './group.service';

describe('GroupService', () => {
  let bed: RealtimeTestBed;
  let groups: GroupService;

  beforeEach(async () => {
    bed = await createRealtimeTestBed({}, [GroupService]);
    groups = bed.moduleRef.get(GroupService);
  });

  it('adds and removes clientIds, telling whether anything changed', async () => {
    expect(await groups.add('admins', 'alice')).toBe(true);
    expect(await groups.add('admins', 'alice')).toBe(false);
    expect(await groups.add('admins', 'bob')).toBe(true);
    expect(await groups.members('admins')).toEqual(['alice', 'bob']);
    expect(await groups.groupsOf('alice')).toEqual(['admins']);

    expect(await groups.remove('admins', 'alice')).toBe(true);
    expect(await groups.remove('admins', 'alice')).toBe(false);
    expect(await groups.members('admins')).toEqual(['bob']);
  });

  it('broadcasts one frame to every connection of every member', async () => {
    const tab1 = bed.connect('a1', 'alice').socket;
    const tab2 = bed.connect('a2', 'alice').socket;
    const bob = bed.connect('b1', 'bob').socket;
    const outsider = bed.connect('c1', 'carol').socket;
    await groups.add('admins', 'alice');
    await groups.add('admins', 'bob');
    await groups.add('admins', 'offline-dave');

    expect(await groups.broadcast('admins', 'admin:notice', { text: 'deploy' })).toBe(3);
    expect(tab1.frames()).toEqual([{ event: 'admin:notice', data: { text: 'deploy' } }]);
    expect(tab2.frames()).toEqual([{ event: 'admin:notice', data: { text: 'deploy' } }]);
    expect(bob.frames()).toEqual([{ event: 'admin:notice', data: { text: 'deploy' } }]);
    expect(outsider.send).not.toHaveBeenCalled();
    expect(tab2.send.mock.calls[0][0]).toBe(tab1.send.mock.calls[0][0]);
  });

  it('allows system: events and refuses the other protocol events', async () => {
    bed.connect('a1', 'alice');
    await groups.add('all', 'alice');

    expect(await groups.broadcast('all', 'system:maintenance', { at: 1 })).toBe(1);
    for (const event of ['connection:state', 'channel:message', 'presence:diff', 'direct:message']) {
      const error = await groups.broadcast('all', event).then(
        () => undefined,
        (reason: unknown) => reason as RealtimeException,
      );
      expect(error).toBeInstanceOf(RealtimeException);
      expect(error?.code).toBe('invalid');
    }
  });

  it('delivers nothing to an empty group', async () => {
    expect(await groups.broadcast('nobody', 'x')).toBe(0);
  });
});
