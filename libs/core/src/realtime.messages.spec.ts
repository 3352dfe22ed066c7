import { describeValue, DECORATOR_MISUSE, INVALID_MODULE_OPTION, INVALID_OPTION, AN_INTEGER } from './realtime.messages';

describe('realtime messages', () => {
  it('name the owner and the option, say what it must be and show what it got', () => {
    expect(INVALID_OPTION('RedisEngine', 'nodeTtl', AN_INTEGER(300), 100)).toBe('RedisEngine: option "nodeTtl" must be an integer ≥ 300; got 100.');
    expect(INVALID_MODULE_OPTION('compression.level', AN_INTEGER(1, 9), 0)).toBe(
      'RealtimeModule: option "compression.level" must be an integer from 1 to 9; got 0.',
    );
    expect(DECORATOR_MISUSE('OnConnection', 'the event type', '"open" or "close"', 'opened')).toBe(
      '@OnConnection: the event type must be "open" or "close"; got "opened".',
    );
  });

  it.each<[string, unknown, string]>([
    ['a string, quoted', 'realtime', '"realtime"'],
    ['a number', 1.5, '1.5'],
    ['NaN as NaN, not as JSON null', Number.NaN, 'NaN'],
    ['an object as JSON', { burst: 5 }, '{"burst":5}'],
    ['a function without its source', () => 'secret', 'a function'],
    ['undefined', undefined, 'undefined'],
    ['a value JSON cannot show', 10n, '10'],
  ])('show %s', (_case, value, shown) => {
    expect(describeValue(value)).toBe(shown);
  });

  it('show an object that refers to itself without throwing', () => {
    const loop: Record<string, unknown> = {};
    loop.self = loop;

    expect(describeValue(loop)).toBe('[object Object]');
  });
});
