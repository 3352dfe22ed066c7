import { AN_INTEGER, AN_OBJECT, INVALID_MODULE_OPTION as invalid, ONE_OF } from '../realtime.messages';
import { resolveRealtimeOptions } from './realtime-options.resolver';

describe('hooks options', () => {
  it('queues 10000 events per stream, drops the oldest, and waits 10 s for a hook, by default', () => {
    expect(resolveRealtimeOptions({}).hooks).toEqual({ queueSize: 10_000, overflow: 'drop-oldest', timeout: 10_000 });
  });

  it('takes a queue size, an overflow policy and a timeout (0: none)', () => {
    expect(resolveRealtimeOptions({ hooks: { queueSize: 1, overflow: 'drop-newest', timeout: 0 } }).hooks).toEqual({
      queueSize: 1,
      overflow: 'drop-newest',
      timeout: 0,
    });
  });

  it.each([
    [{ queueSize: 0 }, 'hooks.queueSize', AN_INTEGER(1), 0],
    [{ queueSize: 2.5 }, 'hooks.queueSize', AN_INTEGER(1), 2.5],
    [{ overflow: 'block' }, 'hooks.overflow', ONE_OF(['drop-oldest', 'drop-newest']), 'block'],
    [{ timeout: -1 }, 'hooks.timeout', AN_INTEGER(0), -1],
  ])('refuses %p', (hooks, name, expected, got) => {
    expect(() => resolveRealtimeOptions({ hooks: hooks as never })).toThrow(invalid(name, expected, got));
  });

  it('refuses hooks options that are not an object', () => {
    expect(() => resolveRealtimeOptions({ hooks: true as never })).toThrow(invalid('hooks', AN_OBJECT(), true));
  });
});
