import { nestsDeeperThan } from './json-depth';

describe('nestsDeeperThan', () => {
  it('counts objects and arrays', () => {
    expect(nestsDeeperThan('{"a":[{"b":[1]}]}', 4)).toBe(false);
    expect(nestsDeeperThan('{"a":[{"b":[[1]]}]}', 4)).toBe(true);
  });

  it('counts depth, not the number of brackets', () => {
    expect(nestsDeeperThan(JSON.stringify(Array.from({ length: 1000 }, () => [[1]])), 3)).toBe(false);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    expect(nestsDeeperThan(JSON.stringify({ text: '[[[[{{{{ \\" [[[[ "' }), 2)).toBe(false);
    expect(nestsDeeperThan(JSON.stringify({ text: 'a"b', deep: [[[1]]] }), 3)).toBe(true);
  });

  it('tells a text with as many brackets as the limit from one with a bracket more', () => {
    const nested = (levels: number) => '{"a":'.repeat(levels - 1) + '{}' + '}'.repeat(levels - 1);

    expect(nestsDeeperThan(nested(32), 32)).toBe(false);
    expect(nestsDeeperThan(nested(33), 32)).toBe(true);
    expect(nestsDeeperThan(`["${'{'.repeat(40)}",[[1]]]`, 3)).toBe(false);
  });

  it('answers at once for texts too short to be deep', () => {
    expect(nestsDeeperThan('[[]]', 4)).toBe(false);
  });

  it('stops at the first level too deep on a huge text', () => {
    const huge = '['.repeat(1_000_000) + ']'.repeat(1_000_000);

    expect(nestsDeeperThan(huge, 32)).toBe(true);
  });
});
