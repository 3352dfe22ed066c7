import { AN_INTEGER, AN_OBJECT, INVALID_MODULE_OPTION as invalid } from '../realtime.messages';
import { resolveRealtimeOptions } from './realtime-options.resolver';

describe('drain options', () => {
  it('drains over 10 s, and not at shutdown, by default', () => {
    expect(resolveRealtimeOptions({}).drain).toEqual({ window: 10_000, onShutdown: false });
  });

  it.each([true, false, 'signal'] as const)('takes onShutdown %p', (onShutdown) => {
    expect(resolveRealtimeOptions({ drain: { window: 0, onShutdown } }).drain).toEqual({ window: 0, onShutdown });
  });

  it.each([
    [{ window: -1 }, 'drain.window', AN_INTEGER(0), -1],
    [{ window: 1.5 }, 'drain.window', AN_INTEGER(0), 1.5],
    [{ onShutdown: 'always' }, 'drain.onShutdown', `true, false or 'signal'`, 'always'],
  ])('refuses %p', (drain, name, expected, got) => {
    expect(() => resolveRealtimeOptions({ drain: drain as never })).toThrow(invalid(name, expected, got));
  });

  it('refuses a drain that is not an object', () => {
    expect(() => resolveRealtimeOptions({ drain: 5000 as never })).toThrow(invalid('drain', AN_OBJECT(), 5000));
  });
});
